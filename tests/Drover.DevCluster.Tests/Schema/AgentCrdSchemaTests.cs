using System.Text.Json.Nodes;
using Drover.DevCluster.Schema;

namespace Drover.DevCluster.Tests.Schema;

/// <summary>
/// The whole pipeline the apiserver runs on a write (prune, default, validate) against a
/// schema shaped like a real operator CRD version.
/// </summary>
public class AgentCrdSchemaTests
{
    private const string AgentSchema = """
        {
          "type": "object",
          "description": "Agent is one always-on agent process.",
          "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": {
              "type": "object",
              "required": ["image", "model"],
              "properties": {
                "image": {"type": "string", "minLength": 1},
                "imagePullPolicy": {"type": "string", "enum": ["Always", "IfNotPresent", "Never"], "default": "IfNotPresent"},
                "replicas": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 100, "default": 1},
                "port": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 65535},
                "model": {
                  "type": "object",
                  "required": ["providerRef"],
                  "properties": {
                    "providerRef": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "namespace": {"type": "string"}}},
                    "name": {"type": "string"},
                    "fallbacks": {
                      "type": "array", "maxItems": 4,
                      "items": {"type": "object", "properties": {"providerRef": {"type": "object", "properties": {"name": {"type": "string"}}}, "name": {"type": "string"}}}
                    }
                  }
                },
                "config": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "resources": {
                  "type": "object",
                  "properties": {
                    "limits": {"type": "object", "additionalProperties": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]}},
                    "requests": {"type": "object", "additionalProperties": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]}}
                  }
                },
                "placement": {
                  "type": "object",
                  "properties": {
                    "architectures": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string", "enum": ["amd64", "arm64"]}}
                  }
                },
                "network": {
                  "type": "object",
                  "default": {},
                  "properties": {
                    "egress": {"type": "string", "enum": ["Restricted", "Unrestricted"], "default": "Restricted"},
                    "allow": {"type": "array", "items": {"type": "object", "required": ["cidr"], "properties": {"cidr": {"type": "string", "format": "cidr"}, "ports": {"type": "array", "items": {"type": "integer"}}}}}
                  }
                }
              }
            },
            "status": {
              "type": "object",
              "properties": {
                "observedGeneration": {"type": "integer", "format": "int64"},
                "readyReplicas": {"type": "integer", "format": "int32"},
                "conditions": {
                  "type": "array",
                  "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["type"],
                  "items": {
                    "type": "object",
                    "required": ["type", "status", "lastTransitionTime", "reason", "message"],
                    "properties": {
                      "type": {"type": "string", "maxLength": 316, "pattern": "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"},
                      "status": {"type": "string", "enum": ["True", "False", "Unknown"]},
                      "observedGeneration": {"type": "integer", "format": "int64", "minimum": 0},
                      "lastTransitionTime": {"type": "string", "format": "date-time"},
                      "reason": {"type": "string", "minLength": 1, "maxLength": 1024},
                      "message": {"type": "string", "maxLength": 32768}
                    }
                  }
                }
              }
            }
          }
        }
        """;

    private static readonly StructuralSchema Schema = StructuralSchema.Parse(JsonText.Object(AgentSchema));

    /// <summary>What the apiserver does to a request body before storing it.</summary>
    private static (IReadOnlyList<string> Pruned, IReadOnlyList<FieldError> Errors) Admit(JsonObject obj)
    {
        var pruned = Schema.Prune(obj);
        Schema.ApplyDefaults(obj);
        return (pruned, Schema.Validate(obj));
    }

    [Fact]
    public void A_typical_agent_is_admitted_with_defaults_and_its_free_form_config_intact()
    {
        var agent = JsonText.Object("""
            {
              "apiVersion": "drover.dev/v1alpha1", "kind": "Agent",
              "metadata": {"name": "triage-bot", "namespace": "support", "labels": {"team": "support"}},
              "spec": {
                "image": "ghcr.io/example/agent:1.4.2",
                "model": {"providerRef": {"name": "openai"}, "name": "gpt-4o-mini",
                          "fallbacks": [{"providerRef": {"name": "groq"}, "name": "llama-3.1-8b-instant"}]},
                "config": {"tools": {"shell": {"allow": ["ls", "cat"]}}, "temperature": 0.2, "x-custom": [1, 2]},
                "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": 1, "memory": "256Mi"}},
                "placement": {"architectures": ["arm64", "amd64"]}
              }
            }
            """);

        var (pruned, errors) = Admit(agent);

        Assert.Empty(pruned);
        Assert.Empty(errors);
        var spec = agent["spec"]!;
        Assert.Equal(1, (int)spec["replicas"]!);
        Assert.Equal("IfNotPresent", (string?)spec["imagePullPolicy"]);
        Assert.Equal("""{"egress":"Restricted"}""", spec["network"]!.ToJsonString());
        Assert.Equal("""{"tools":{"shell":{"allow":["ls","cat"]}},"temperature":0.2,"x-custom":[1,2]}""", spec["config"]!.ToJsonString());
    }

    [Fact]
    public void A_broken_agent_gets_every_cause_the_apiserver_would_list()
    {
        var agent = JsonText.Object("""
            {
              "apiVersion": "drover.dev/v1alpha1", "kind": "Agent",
              "metadata": {"name": "Triage_Bot"},
              "spec": {
                "imagePullPolicy": "Sometimes",
                "replicas": -1,
                "port": "http",
                "model": {"name": "gpt-4o-mini"},
                "placement": {"architectures": ["arm64", "riscv64", "arm64"]},
                "network": {"allow": [{"ports": [443]}]},
                "modle": {"typo": true}
              }
            }
            """);

        var (pruned, errors) = Admit(agent);

        Assert.Equal(["spec.modle"], pruned);
        Assert.Equal(
            [
                ("metadata.name", "FieldValueInvalid"),
                ("spec.image", "FieldValueRequired"),
                ("spec.imagePullPolicy", "FieldValueNotSupported"),
                ("spec.replicas", "FieldValueInvalid"),
                ("spec.port", "FieldValueTypeInvalid"),
                ("spec.model.providerRef", "FieldValueRequired"),
                ("spec.placement.architectures[2]", "FieldValueDuplicate"),
                ("spec.placement.architectures[1]", "FieldValueNotSupported"),
                ("spec.network.allow[0].cidr", "FieldValueRequired"),
            ],
            errors.Select(e => (e.Field, e.Reason)));
        Assert.Contains(errors, e => e.Message == "Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"");
        Assert.Contains(errors, e => e.Message == "Invalid value: -1: spec.replicas in body should be greater than or equal to 0");
        Assert.Contains(errors, e => e.Message == "Unsupported value: \"riscv64\": supported values: \"amd64\", \"arm64\"");
    }

    [Fact]
    public void Status_conditions_are_a_map_keyed_by_type()
    {
        var agent = JsonText.Object("""
            {
              "apiVersion": "drover.dev/v1alpha1", "kind": "Agent", "metadata": {"name": "a"},
              "spec": {"image": "busybox", "model": {"providerRef": {"name": "p"}}},
              "status": {
                "observedGeneration": 3,
                "conditions": [
                  {"type": "Ready", "status": "True", "lastTransitionTime": "2024-05-01T10:00:00Z", "reason": "Available", "message": "", "observedGeneration": 3},
                  {"type": "ModelResolved", "status": "Maybe", "lastTransitionTime": "2024-05-01T10:00:00Z", "reason": "Resolved", "message": "ok"},
                  {"type": "Ready", "status": "False", "lastTransitionTime": "soon", "reason": "", "message": "dup"}
                ]
              }
            }
            """);

        var (_, errors) = Admit(agent);

        Assert.Equal(
            [
                new FieldError("status.conditions[2]", "FieldValueDuplicate", "Duplicate value: {\"type\":\"Ready\"}"),
                new FieldError("status.conditions[1].status", "FieldValueNotSupported", "Unsupported value: \"Maybe\": supported values: \"True\", \"False\", \"Unknown\""),
                new FieldError("status.conditions[2].lastTransitionTime", "FieldValueTypeInvalid", "Invalid value: \"soon\": status.conditions[2].lastTransitionTime in body must be of type date-time: \"soon\""),
                new FieldError("status.conditions[2].reason", "FieldValueInvalid", "Invalid value: \"\": status.conditions[2].reason in body should be at least 1 chars long"),
            ],
            errors);
    }

    [Fact]
    public void Reading_an_old_stored_object_fills_defaults_added_later()
    {
        var stored = JsonText.Object("""
            {"apiVersion":"drover.dev/v1alpha1","kind":"Agent","metadata":{"name":"a"},
             "spec":{"image":"busybox","model":{"providerRef":{"name":"p"}},"network":{"allow":[{"cidr":"10.0.0.0/8"}]}}}
            """);

        Schema.ApplyDefaults(stored);

        Assert.Equal("Restricted", (string?)stored["spec"]!["network"]!["egress"]);
        Assert.Empty(Schema.Validate(stored));
    }
}
