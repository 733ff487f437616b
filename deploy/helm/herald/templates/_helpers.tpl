{{/*
Names, labels and shared pod pieces for the Herald chart.
*/}}

{{- define "herald.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name prefix, at most 52 characters so "-connection-ops" still fits in 63. */}}
{{- define "herald.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 48 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "herald.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "herald.labels" -}}
helm.sh/chart: {{ include "herald.chart" . }}
app.kubernetes.io/name: {{ include "herald.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: herald
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "herald.selectorLabels" -}}
app.kubernetes.io/name: {{ include "herald.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one component; call with (dict "root" $ "component" "connection"). */}}
{{- define "herald.componentLabels" -}}
{{ include "herald.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "herald.componentSelectorLabels" -}}
{{ include "herald.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "herald.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "herald.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "herald.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "herald.cryptoSecretName" -}}
{{- default (printf "%s-crypto-keys" (include "herald.fullname" .)) .Values.cryptoKeys.existingSecret }}
{{- end }}

{{/* HERALD_PUBLIC_URL: explicit, else the Ingress host, else the in-cluster Service. */}}
{{- define "herald.publicUrl" -}}
{{- if .Values.publicUrl }}
{{- .Values.publicUrl | trimSuffix "/" }}
{{- else if .Values.ingress.enabled }}
{{- $scheme := ternary "https" "http" (ne .Values.ingress.endpoint.tlsSecretName "") }}
{{- printf "%s://%s" $scheme .Values.ingress.endpoint.host }}
{{- else }}
{{- $scheme := ternary "https" "http" .Values.tls.enabled }}
{{- printf "%s://%s-endpoint.%s.svc:%d" $scheme (include "herald.fullname" .) .Release.Namespace (int .Values.endpoint.service.port) }}
{{- end }}
{{- end }}

{{/* Seconds Kubernetes waits after SIGTERM: above the drain window so the node can finish. */}}
{{- define "herald.connection.terminationGracePeriodSeconds" -}}
{{- $drainSeconds := div (add .Values.connection.drainWindowMs 999) 1000 }}
{{- $shutdownSeconds := add $drainSeconds 10 }}
{{- if gt (int .Values.connection.terminationGracePeriodSeconds) 0 }}
{{- if le (int .Values.connection.terminationGracePeriodSeconds) (int $shutdownSeconds) }}
{{- fail (printf "connection.terminationGracePeriodSeconds (%d) must exceed the drain window plus the 10 s shutdown margin (%d s)" (int .Values.connection.terminationGracePeriodSeconds) (int $shutdownSeconds)) }}
{{- end }}
{{- .Values.connection.terminationGracePeriodSeconds }}
{{- else }}
{{- add $drainSeconds 15 }}
{{- end }}
{{- end }}

{{/* Environment shared by every node container. */}}
{{- define "herald.commonEnv" -}}
- name: HERALD_NODE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: HERALD_CRYPTO_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ include "herald.cryptoSecretName" . }}
      key: {{ .Values.cryptoKeys.secretKey }}
{{- if .Values.tls.enabled }}
- name: HERALD_TLS_CERT_FILE
  value: {{ printf "%s/tls.crt" .Values.tls.mountPath | quote }}
- name: HERALD_TLS_KEY_FILE
  value: {{ printf "%s/tls.key" .Values.tls.mountPath | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Topology spread constraints; call with (dict "root" $ "component" "connection" "spread" .Values.connection.topologySpread). */}}
{{- define "herald.topologySpread" -}}
{{- if .spread.enabled -}}
topologySpreadConstraints:
{{- range .spread.topologyKeys }}
  - maxSkew: {{ $.spread.maxSkew }}
    topologyKey: {{ . }}
    whenUnsatisfiable: {{ $.spread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "herald.componentSelectorLabels" (dict "root" $.root "component" $.component) | nindent 8 }}
{{- end }}
{{- end }}
{{- end }}

{{/* Volumes every node pod mounts: a writable /tmp and, with TLS, the certificate. */}}
{{- define "herald.volumes" -}}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
{{- if .Values.tls.enabled }}
  - name: tls
    secret:
      secretName: {{ required "tls.secretName is required when tls.enabled" .Values.tls.secretName }}
      defaultMode: 0440
{{- end }}
{{- end }}

{{- define "herald.volumeMounts" -}}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- if .Values.tls.enabled }}
  - name: tls
    mountPath: {{ .Values.tls.mountPath }}
    readOnly: true
{{- end }}
{{- end }}
