using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Drover.Operator.Rendering;

/// <summary>
/// Writes <see cref="JsonNode"/> documents as block-style YAML through YamlDotNet's emitter. A string that a YAML
/// reader would take for something else (true, on, null, 1.0, 0x1F, 2024-01-01, an empty string) is
/// double-quoted; multi-line strings use literal blocks so prompts stay readable.
/// </summary>
internal static partial class YamlWriter
{
    public static string Write(IEnumerable<JsonNode?> documents)
    {
        using var writer = new StringWriter();
        Write(writer, documents);
        return writer.ToString();
    }

    public static void Write(TextWriter writer, IEnumerable<JsonNode?> documents)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(documents);
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024, true, true, "\n", false));
        emitter.Emit(new StreamStart());
        foreach (var document in documents)
        {
            emitter.Emit(new DocumentStart(null, null, false));
            Emit(emitter, document);
            emitter.Emit(new DocumentEnd(true));
        }

        emitter.Emit(new StreamEnd());
    }

    /// <summary>Whether a string must be quoted so that YAML 1.1 and 1.2 readers both read it back as a string.</summary>
    public static bool NeedsQuotes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0
            || text != text.Trim()
            || "*&!%@`|>'\"#{}[],?:-".Contains(text[0], StringComparison.Ordinal)
            || AmbiguousPlainScalar().IsMatch(text);
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, obj.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                EmitString(emitter, value.GetValue<string>());
                break;
            case JsonValue value:
                // Numbers and booleans: their JSON text is also their YAML text.
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value.ToJsonString(), ScalarStyle.Plain, true, false));
                break;
        }
    }

    private static void EmitString(IEmitter emitter, string text)
    {
        var style = text.Contains('\n', StringComparison.Ordinal) && !HasTrailingSpaceOnALine(text)
            ? ScalarStyle.Literal
            : NeedsQuotes(text) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, style, style == ScalarStyle.Any, true));
    }

    // A literal block cannot keep trailing spaces on a line faithfully in every reader; quote those instead.
    private static bool HasTrailingSpaceOnALine(string text) =>
        text.Split('\n').Any(line => line.Length > 0 && char.IsWhiteSpace(line[^1]));

    // YAML 1.1 and 1.2 non-string plain scalars: null, booleans (yes/no/on/off/y/n), integers in any base,
    // floats, infinities, NaN, sexagesimal numbers and timestamps.
    [GeneratedRegex(
        @"^(~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
        + @"|[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|[-+]?\.[0-9][0-9_]*([eE][-+]?[0-9]+)?"
        + @"|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
        + @"|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?"
        + @"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?|=|<<)$",
        RegexOptions.CultureInvariant)]
    private static partial Regex AmbiguousPlainScalar();
}
