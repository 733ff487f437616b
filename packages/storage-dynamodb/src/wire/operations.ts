import type { Item } from '../attribute-values';

/**
 * The inputs and outputs of the DynamoDB actions the stores use, in the JSON shape of
 * the wire protocol (DynamoDB_20120810), limited to the members Herald sends or reads.
 * Outputs are DynamoDB's own documents; the item codecs validate every attribute read.
 */
export interface DynamoDbOperations {
  GetItem: {
    input: { TableName: string; Key: Item; ConsistentRead?: boolean };
    output: { Item?: Item };
  };
  PutItem: {
    input: {
      TableName: string;
      Item: Item;
      ConditionExpression?: string;
      ExpressionAttributeValues?: Item;
    };
    output: { Attributes?: Item };
  };
  UpdateItem: {
    input: {
      TableName: string;
      Key: Item;
      UpdateExpression: string;
      ConditionExpression?: string;
      ExpressionAttributeValues?: Item;
      ReturnValues?: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';
    };
    output: { Attributes?: Item };
  };
  DeleteItem: {
    input: {
      TableName: string;
      Key: Item;
      ConditionExpression?: string;
      ExpressionAttributeValues?: Item;
    };
    output: { Attributes?: Item };
  };
  Query: {
    input: {
      TableName: string;
      KeyConditionExpression: string;
      FilterExpression?: string;
      ProjectionExpression?: string;
      ExpressionAttributeValues?: Item;
      ConsistentRead?: boolean;
      Limit?: number;
      ExclusiveStartKey?: Item;
    };
    output: { Items?: Item[]; LastEvaluatedKey?: Item };
  };
  BatchWriteItem: {
    input: { RequestItems: Record<string, WriteRequest[]> };
    output: { UnprocessedItems?: Record<string, WriteRequest[]> };
  };
}

/** One entry of a BatchWriteItem: Herald only ever deletes in batches. */
export interface WriteRequest {
  DeleteRequest?: { Key: Item };
  PutRequest?: { Item: Item };
}

export type OperationName = keyof DynamoDbOperations;
export type OperationInput<O extends OperationName> = DynamoDbOperations[O]['input'];
export type OperationOutput<O extends OperationName> = DynamoDbOperations[O]['output'];
