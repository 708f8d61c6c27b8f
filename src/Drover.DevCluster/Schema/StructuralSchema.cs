using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Schema;

/// <summary>
/// The schema of one custom resource version (<c>schema.openAPIV3Schema</c>) and the three
/// things the apiserver does with it on every read and write: prune unknown fields, apply
/// defaults, and validate.
/// </summary>
public sealed class StructuralSchema
{
    private readonly SchemaNode _root;

    private StructuralSchema(SchemaNode root) => _root = root;

    /// <summary>Parses a CRD version's <c>openAPIV3Schema</c>.</summary>
    /// <exception cref="FormatException">A nested schema is not an object or a pattern does not compile.</exception>
    public static StructuralSchema Parse(JsonObject openApiV3Schema)
    {
        ArgumentNullException.ThrowIfNull(openApiV3Schema);
        return new StructuralSchema(SchemaNode.Parse(openApiV3Schema, "openAPIV3Schema").AsEmbeddedResource());
    }

    /// <summary>
    /// Removes the fields the schema does not declare, in place. apiVersion, kind and
    /// metadata stay at the root, and metadata is cut down to ObjectMeta's fields.
    /// </summary>
    /// <returns>The removed paths (such as <c>spec.foo</c>), in document order.</returns>
    public IReadOnlyList<string> Prune(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var removed = new List<string>();
        SchemaPruner.Prune(obj, _root, "", removed);
        return removed;
    }

    /// <summary>
    /// Fills absent properties (and non-nullable nulls) from their <c>default</c>, in place,
    /// then drops the non-nullable nulls that have no default.
    /// </summary>
    public void ApplyDefaults(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        SchemaDefaulter.Default(obj, _root);
        SchemaDefaulter.RemoveNonNullableNulls(obj, _root);
    }

    /// <summary>
    /// Validates a (pruned and defaulted) object: the metadata rules the apiserver applies
    /// to every custom resource first, then the schema.
    /// </summary>
    /// <returns>The failures; empty when the object is valid.</returns>
    public IReadOnlyList<FieldError> Validate(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        ValidateName(obj, errors);
        SchemaValidator.Validate(obj, _root, "", errors);
        return errors;
    }

    private static void ValidateName(JsonObject obj, List<FieldError> errors)
    {
        var metadata = obj["metadata"] as JsonObject;
        var name = metadata?["name"];
        if (name is null || name.GetValueKind() != JsonValueKind.String || name.GetValue<string>().Length == 0)
        {
            var generateName = metadata?["generateName"];
            if (generateName is null || generateName.GetValueKind() != JsonValueKind.String || generateName.GetValue<string>().Length == 0)
            {
                errors.Add(new FieldError("metadata.name", FieldErrorReasons.Required, "Required value: name or generateName is required"));
            }

            return;
        }

        var text = name.GetValue<string>();
        foreach (var problem in ResourceNames.DnsSubdomainProblems(text))
        {
            errors.Add(new FieldError("metadata.name", FieldErrorReasons.Invalid, $"Invalid value: {GoValueFormat.Quote(text)}: {problem}"));
        }
    }
}
