{{/* The seven services, in the order of the README. */}}
{{- define "aviary.serviceNames" -}}
gateway orchestrator builder quality deployer canary notifier
{{- end }}

{{- define "aviary.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end }}

{{/* Labels of every object; dict "root" $ "service" <name or ""> */}}
{{- define "aviary.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: aviary
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "aviary.selectorLabels" . }}
{{- end }}

{{- define "aviary.selectorLabels" -}}
app.kubernetes.io/name: aviary
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .service }}
app.kubernetes.io/component: {{ .service }}
{{- end }}
{{- end }}

{{/* A service's settings: defaults, then services.<name>. dict "root" $ "service" <name> */}}
{{- define "aviary.serviceValues" -}}
{{- $own := index .root.Values.services .service | default dict -}}
{{- toYaml (mergeOverwrite (deepCopy .root.Values.defaults) (deepCopy $own)) -}}
{{- end }}

{{- define "aviary.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end }}

{{- define "aviary.natsUrl" -}}
{{- if .Values.nats.enabled -}}
{{- printf "nats://%s-nats:4222" (include "aviary.fullname" .) -}}
{{- else -}}
{{- required "nats.url is required when nats.enabled is false" .Values.nats.url -}}
{{- end -}}
{{- end }}

{{/* Whether a service talks to the Kubernetes API (it gets a token and RBAC). */}}
{{- define "aviary.usesKubernetesApi" -}}
{{- if eq .service "deployer" -}}true
{{- else if and (eq .service "builder") (eq .root.Values.services.builder.executor "kubernetes") -}}true
{{- end -}}
{{- end }}
