{{/* The chart name, overridable. */}}
{{- define "drover.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The base name of every object: the release name, suffixed with the chart name unless it already contains it. */}}
{{- define "drover.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "drover.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "drover.selectorLabels" -}}
app.kubernetes.io/name: {{ include "drover.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "drover.labels" -}}
helm.sh/chart: {{ include "drover.chart" . }}
{{ include "drover.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: drover
{{- end }}

{{- define "drover.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "drover.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, or repository@digest when a digest pins the image. */}}
{{- define "drover.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* "true" when the operator must elect a leader: forced by leaderElection.enabled, else whenever replicas > 1. */}}
{{- define "drover.leaderElect" -}}
{{- if kindIs "bool" .Values.leaderElection.enabled }}
{{- ternary "true" "" .Values.leaderElection.enabled }}
{{- else }}
{{- ternary "true" "" (gt (int .Values.replicas) 1) }}
{{- end }}
{{- end }}

{{/* The watched namespaces, deduplicated and sorted so renders are stable. */}}
{{- define "drover.watchNamespaces" -}}
{{- .Values.watchNamespaces | uniq | sortAlpha | join "," }}
{{- end }}

{{/* The gateway's pods: their own app.kubernetes.io/name, so no selector of the operator's ever matches them. */}}
{{- define "drover.gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "drover.name" . }}-gateway
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "drover.gateway.labels" -}}
helm.sh/chart: {{ include "drover.chart" . }}
{{ include "drover.gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: drover
app.kubernetes.io/component: gateway
{{- end }}

{{/* What the gateway is given as --redis: the address, with ssl=true appended when gateway.redis.tls is on. */}}
{{- define "drover.gateway.redis" -}}
{{- if .Values.gateway.redis.address }}
{{- .Values.gateway.redis.address }}{{ if .Values.gateway.redis.tls }},ssl=true{{ end }}
{{- end }}
{{- end }}
