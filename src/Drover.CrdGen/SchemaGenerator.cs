using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using Drover.Api.Schema;

namespace Drover.CrdGen;

/// <summary>
/// Produces the openAPIV3Schema of a kind: the JSON schema System.Text.Json exports for the type as the operator
/// serialises it, annotated from XML docs and Drover's schema attributes, then made structural.
/// </summary>
internal sealed class SchemaGenerator(XmlDocumentation docs)
{
    public JsonObject Generate(JsonTypeInfo rootType)
    {
        var exporterOptions = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = Annotate,
        };
        var schema = rootType.GetJsonSchemaAsNode(exporterOptions);
        return StructuralSchema.Normalize(schema);
    }

    private JsonObject Annotate(JsonSchemaExporterContext context, JsonNode node)
    {
        var type = context.TypeInfo.Type;
        var schema = CoreTypeSchemas.Replacement(type) ?? AsObject(node);

        // The exporter leaves out element schemas it considers "anything" (types with custom converters).
        if (context.TypeInfo is { Kind: JsonTypeInfoKind.Dictionary, ElementType: { } valueType } && schema["additionalProperties"] is null
            && CoreTypeSchemas.Replacement(valueType) is { } valueSchema)
        {
            schema["additionalProperties"] = valueSchema;
        }
        else if (context.TypeInfo is { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } itemType } && schema["items"] is null
            && CoreTypeSchemas.Replacement(itemType) is { } itemSchema)
        {
            schema["items"] = itemSchema;
        }

        if (context.TypeInfo.Kind == JsonTypeInfoKind.Object && schema["properties"] is JsonObject)
        {
            var required = context.TypeInfo.Properties
                .Where(p => p.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: false) == true)
                .Select(p => p.Name)
                .Concat(CoreTypeSchemas.Required(type))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToArray();
            if (required.Length > 0)
            {
                schema["required"] = new JsonArray([.. required.Select(r => (JsonNode)r)]);
            }

            if (docs.ForType(type) is { } typeDoc)
            {
                schema["description"] = typeDoc;
            }
        }

        // Every integer states its width and range, so the API server refuses a value the operator could not read: one
        // Agent with a port past Int32 would otherwise stop the Agents watch for everyone. Attributes narrow it below.
        // Kubernetes' own types keep their upstream shape, which states the format alone.
        if (IntegerRange(type) is var (format, minimum, maximum))
        {
            schema["format"] = format;
            if (context.PropertyInfo?.DeclaringType.Namespace?.StartsWith("k8s", StringComparison.Ordinal) != true)
            {
                schema["minimum"] = minimum;
                schema["maximum"] = maximum;
            }
        }

        // Metadata is the API server's to describe: the CRD says only that it is an object.
        if (context.PropertyInfo?.AttributeProvider is PropertyInfo property && type != typeof(k8s.Models.V1ObjectMeta))
        {
            if (docs.ForProperty(property) is { } propertyDoc)
            {
                schema["description"] = propertyDoc;
            }

            ApplyAttributes(property, schema);
        }

        return schema;
    }

    private static void ApplyAttributes(PropertyInfo property, JsonObject schema)
    {
        // Constraints on a list of scalars describe its items.
        var scalarTarget = schema["items"] is JsonObject items ? items : schema;
        foreach (var attribute in property.GetCustomAttributes(inherit: false))
        {
            switch (attribute)
            {
                case EnumAttribute e:
                    scalarTarget["enum"] = new JsonArray([.. e.Values.Select(v => (JsonNode)v)]);
                    break;
                case PatternAttribute p:
                    scalarTarget["pattern"] = p.Pattern;
                    break;
                case MinimumAttribute min:
                    scalarTarget["minimum"] = min.Value;
                    break;
                case MaximumAttribute max:
                    scalarTarget["maximum"] = max.Value;
                    break;
                case MinLengthAttribute minLength:
                    scalarTarget["minLength"] = minLength.Value;
                    break;
                case MinPropertiesAttribute minProperties:
                    schema["minProperties"] = minProperties.Value;
                    break;
                case DefaultAttribute d:
                    schema["default"] = JsonValue.Create(d.Value);
                    break;
                case ListMapAttribute map:
                    schema["x-kubernetes-list-type"] = "map";
                    schema["x-kubernetes-list-map-keys"] = new JsonArray([.. map.Keys.Select(k => (JsonNode)k)]);
                    break;
                case ListSetAttribute:
                    schema["x-kubernetes-list-type"] = "set";
                    break;
                case PreserveUnknownFieldsAttribute:
                    var description = schema["description"]?.DeepClone();
                    schema.Clear();
                    if (description is not null)
                    {
                        schema["description"] = description;
                    }

                    schema["type"] = "object";
                    schema["x-kubernetes-preserve-unknown-fields"] = true;
                    break;
            }
        }
    }

    private static (string Format, long Minimum, long Maximum)? IntegerRange(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(int) => ("int32", int.MinValue, int.MaxValue),
            var t when t == typeof(long) => ("int64", long.MinValue, long.MaxValue),
            _ => null,
        };

    private static JsonObject AsObject(JsonNode node) => node switch
    {
        JsonObject o => o,
        // The exporter writes `true` for "anything": only free-form objects may be that, and only where marked.
        _ => new JsonObject(),
    };
}
