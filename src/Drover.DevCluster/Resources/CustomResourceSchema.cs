using System.Text.Json.Nodes;
using Drover.DevCluster.Patching;
using Drover.DevCluster.Schema;

namespace Drover.DevCluster.Resources;

/// <summary>
/// The openAPIV3Schema of one CRD version, and what the server does with it on every write:
/// prune unknown fields, fill defaults, validate; plus the field schema apply and patches merge by.
/// </summary>
public sealed class CustomResourceSchema
{
    private readonly StructuralSchema _structural;

    public CustomResourceSchema(JsonObject openApiV3Schema)
    {
        ArgumentNullException.ThrowIfNull(openApiV3Schema);
        OpenApiV3Schema = (JsonObject)openApiV3Schema.DeepClone();
        _structural = StructuralSchema.Parse(OpenApiV3Schema);
        Fields = FieldSchema.FromOpenApi(OpenApiV3Schema);
    }

    public JsonObject OpenApiV3Schema { get; }

    public FieldSchema Fields { get; }

    /// <summary>Removes fields the schema does not declare; returns their paths (e.g. <c>spec.foo</c>).</summary>
    public IReadOnlyList<string> Prune(JsonObject obj) => _structural.Prune(obj);

    public void ApplyDefaults(JsonObject obj) => _structural.ApplyDefaults(obj);

    public IReadOnlyList<(string Field, string Reason, string Message)> Validate(JsonObject obj) =>
        [.. _structural.Validate(obj).Select(e => (e.Field, e.Reason, e.Message))];
}
