{{/* Names, labels, and what sets the four services apart. */}}

{{- define "aftomato.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The services, in the order every template lists them. */}}
{{- define "aftomato.services" -}}
ingest scheduler watcher api
{{- end -}}

{{/* What a service needs; call with (dict "root" $ "component" NAME). */}}
{{- define "aftomato.traits" -}}
{{- $name := .component -}}
web: {{ has $name (list "ingest" "api") }}
kube: {{ has $name (list "scheduler" "watcher" "api") }}
aws: {{ has $name (list "watcher" "api") }}
scripts: {{ has $name (list "scheduler" "api") }}
{{- end -}}

{{- define "aftomato.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "aftomato.labels" -}}
{{ include "aftomato.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: aftomato
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The least-privilege rules of each service in the build namespace (none for ingest). */}}
{{- define "aftomato.rules" -}}
scheduler:
  - apiGroups: [""]
    resources: [pods]
    verbs: [create, get, list, patch, delete]
watcher:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list, watch, delete]
  - apiGroups: [""]
    resources: [pods/log]
    verbs: [get]
api:
  - apiGroups: [""]
    resources: [pods/log]
    verbs: [get]
{{- end -}}

{{/* Environment variables from one Secret: (dict "secret" NAME "keys" {VARIABLE: KEY}). */}}
{{- define "aftomato.secretEnv" -}}
{{- $secret := .secret -}}
{{- range $variable, $key := .keys }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
{{- end }}
{{- end -}}
