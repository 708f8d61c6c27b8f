using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s;

namespace Drover.Operator.Hosting;

/// <summary>
/// The Kubernetes client's source-generated JSON metadata, plus what it lacks to write back an object it read:
/// <c>metadata.managedFields[].fieldsV1</c> is typed <c>object</c> and arrives as a <see cref="JsonElement"/>.
/// Without this, comparing a cached child with its desired form fails on any API server that tracks field owners.
/// </summary>
internal static class KubeJson
{
    private static readonly JsonSerializerOptions Options = Create();

    public static JsonTypeInfo<T> For<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(SourceGenerationContext.Default.Options)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(SourceGenerationContext.Default, FreeFormJsonContext.Default),
        };
        options.MakeReadOnly();
        return options;
    }
}

[JsonSerializable(typeof(JsonElement))]
internal sealed partial class FreeFormJsonContext : JsonSerializerContext;
