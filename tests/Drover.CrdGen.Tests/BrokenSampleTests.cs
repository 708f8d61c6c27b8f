using System.Text.Json.Nodes;
using Drover.Tests.Support;

namespace Drover.CrdGen.Tests;

public class BrokenSampleTests
{
    private static string Directory => Path.Combine(AppContext.BaseDirectory, "BrokenSamples");

    public static TheoryData<string> Files() =>
        new(System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "BrokenSamples"), "*.yaml").Select(Path.GetFileName).Order()!);

    private static (string RejectedBy, string Field, JsonObject Object) Load(string file)
    {
        var text = File.ReadAllText(Path.Combine(Directory, file));
        string Header(string name) => text.Split('\n').Single(l => l.StartsWith($"# {name}: ", StringComparison.Ordinal))[(name.Length + 4)..].Trim();
        return (Header("rejected-by"), Header("field"), YamlJson.Parse(text).AsObject());
    }

    /// <summary>The field paths of NJsonSchema errors, in the API server's notation (spec.a[0].b).</summary>
    private static List<string> SchemaErrorFields(JsonObject obj)
    {
        var errors = CrdFiles.Validator(DroverObjects.Kind(obj)).Validate(obj.ToJsonString());
        return errors.SelectMany(Flatten).Select(e => e.Path?.TrimStart('#', '/') ?? "").Distinct().ToList();
    }

    private static IEnumerable<NJsonSchema.Validation.ValidationError> Flatten(NJsonSchema.Validation.ValidationError error) =>
        error is NJsonSchema.Validation.ChildSchemaValidationError child
            ? [error, .. child.Errors.SelectMany(e => e.Value).SelectMany(Flatten)]
            : [error];

    [Fact]
    public void The_broken_set_covers_the_required_cases()
    {
        var fields = Files().Cast<object[]>().Select(f => Load((string)f[0]).Field).ToList();
        foreach (var field in new[] { "spec.type", "spec.image", "spec.replicas", "spec.schedule", "spec.timeZone", "spec.endpoint" })
        {
            Assert.Contains(field, fields);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Broken_sample_is_rejected_naming_the_field(string file)
    {
        var (rejectedBy, field, obj) = Load(file);
        var schemaFields = SchemaErrorFields(obj);
        if (rejectedBy == "schema")
        {
            Assert.True(schemaFields.Contains(field), $"{file}: the CRD schema should reject {field}; it reported [{string.Join(", ", schemaFields)}]");
        }
        else
        {
            // The schema cannot express these rules; the operator's validation is what catches them.
            Assert.Equal("validation", rejectedBy);
            Assert.True(schemaFields.Count == 0, $"{file}: expected the schema to accept it, got [{string.Join(", ", schemaFields)}]");
            var validationFields = DroverObjects.Validate(obj).Select(e => e.Field).ToList();
            Assert.True(validationFields.Contains(field), $"{file}: validation should reject {field}; it reported [{string.Join(", ", validationFields)}]");
        }
    }
}
