using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

/// <summary>A small CRD exercising everything the server does with CRDs: schema, defaults, subresources, columns.</summary>
internal static class WidgetCrd
{
    public const string Collection = "/apis/example.com/v1/namespaces/default/widgets";

    public static JsonObject Definition(string scope = "Namespaced") => JsonNode.Parse($$$"""
    {
      "apiVersion": "apiextensions.k8s.io/v1",
      "kind": "CustomResourceDefinition",
      "metadata": {"name": "widgets.example.com"},
      "spec": {
        "group": "example.com",
        "scope": "{{{scope}}}",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList", "shortNames": ["wd"], "categories": ["gadgets"]},
        "versions": [{
          "name": "v1", "served": true, "storage": true,
          "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"}},
          "additionalPrinterColumns": [
            {"name": "Size", "type": "string", "jsonPath": ".spec.size"},
            {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
            {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
            {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
          ],
          "schema": {"openAPIV3Schema": {
            "type": "object",
            "properties": {
              "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
              "spec": {"type": "object", "required": ["size"], "properties": {
                "size": {"type": "string", "enum": ["small", "large"]},
                "replicas": {"type": "integer", "default": 1, "minimum": 0},
                "color": {"type": "string", "default": "blue"}
              }},
              "status": {"type": "object", "properties": {
                "replicas": {"type": "integer"},
                "selector": {"type": "string"},
                "observedGeneration": {"type": "integer"},
                "conditions": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}
              }}
            }
          }}
        }]
      }
    }
    """)!.AsObject();

    public static JsonObject Widget(string name, string size = "small", JsonObject? extraSpec = null)
    {
        var spec = new JsonObject { ["size"] = size };
        foreach (var (key, value) in extraSpec ?? [])
        {
            spec[key] = value?.DeepClone();
        }

        return new JsonObject
        {
            ["apiVersion"] = "example.com/v1",
            ["kind"] = "Widget",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = spec,
        };
    }
}
