import {
  DynamoDbServiceError,
  DynamoDbTransportError,
  isRetryable,
  parseErrorResponse,
} from '../../src/wire/dynamodb-wire-errors';

describe('DynamoDB error responses', () => {
  it('take the type after the # and the message from `message`', () => {
    const error = parseErrorResponse(
      400,
      '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}',
    );
    expect(error).toBeInstanceOf(DynamoDbServiceError);
    expect(error).toMatchObject({
      errorType: 'ConditionalCheckFailedException',
      statusCode: 400,
      message: 'ConditionalCheckFailedException (HTTP 400): The conditional request failed',
    });
  });

  it('read `Message` too, and a type without a namespace', () => {
    expect(
      parseErrorResponse(400, '{"__type":"ValidationException","Message":"bad key"}'),
    ).toMatchObject({
      errorType: 'ValidationException',
      message: expect.stringContaining('bad key') as unknown,
    });
  });

  it('become HttpError when the body is not DynamoDB’s', () => {
    expect(parseErrorResponse(502, '<html>Bad Gateway</html>')).toMatchObject({
      errorType: 'HttpError',
      statusCode: 502,
    });
    expect(parseErrorResponse(500, '')).toMatchObject({ errorType: 'HttpError' });
    expect(parseErrorResponse(400, '{"message":"no type"}')).toMatchObject({
      errorType: 'HttpError',
      message: expect.stringContaining('no type') as unknown,
    });
  });

  it.each([
    [400, 'ProvisionedThroughputExceededException', true],
    [400, 'ThrottlingException', true],
    [400, 'RequestLimitExceeded', true],
    [500, 'InternalServerError', true],
    [503, 'HttpError', true],
    [400, 'ConditionalCheckFailedException', false],
    [400, 'ValidationException', false],
    [400, 'ResourceNotFoundException', false],
    [400, 'UnrecognizedClientException', false],
  ])('HTTP %i %s is retryable: %s', (status, type, retryable) => {
    expect(isRetryable(new DynamoDbServiceError(type, status, 'm'))).toBe(retryable);
  });

  it('treat timeouts and network failures as retryable, anything else not', () => {
    expect(isRetryable(new DynamoDbTransportError('timeout', 'slow'))).toBe(true);
    expect(isRetryable(new DynamoDbTransportError('network', 'reset'))).toBe(true);
    expect(isRetryable(new SyntaxError('Unexpected token'))).toBe(false);
  });
});
