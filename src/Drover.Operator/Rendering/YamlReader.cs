using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Drover.Operator.Rendering;

/// <summary>
/// Reads YAML streams into <see cref="JsonNode"/> documents straight from YamlDotNet's parser events: no
/// reflection serializer, so it stays NativeAOT-safe. Plain scalars are typed with the YAML 1.2 core schema
/// (null, booleans, integers, floats); quoted and block scalars are always strings. Anchors, aliases and
/// <c>&lt;&lt;</c> merge keys are supported. A key given twice in one mapping is an error naming the field, as the
/// API server's strict field validation reports it (<c>duplicate field "spec.image"</c>), never a silent last-one-wins.
/// </summary>
internal static partial class YamlReader
{
    /// <summary>Every document of the stream; an empty document (only comments) is skipped.</summary>
    /// <exception cref="YamlException">The text is not valid YAML, or a mapping repeats a key; the message has the line and column.</exception>
    public static IReadOnlyList<JsonNode> ReadDocuments(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var parser = new Parser(reader);
        try
        {
            return ReadStream(parser);
        }
        catch (InvalidOperationException e)
        {
            // Some malformed input (an unclosed flow sequence) surfaces from the scanner as an InvalidOperationException.
            var at = parser.Current?.Start ?? Mark.Empty;
            throw new YamlException(at, at, $"Invalid YAML near line {at.Line}, column {at.Column}: {e.Message}", e);
        }
    }

    public static IReadOnlyList<JsonNode> ReadDocuments(string text) => ReadDocuments(new StringReader(text));

    private static List<JsonNode> ReadStream(Parser parser)
    {
        var documents = new List<JsonNode>();
        parser.Consume<StreamStart>();
        while (parser.TryConsume<DocumentStart>(out _))
        {
            var anchors = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            JsonNode? document = null;
            if (!parser.Accept<DocumentEnd>(out _))
            {
                document = ReadNode(parser, anchors, "");
            }

            parser.Consume<DocumentEnd>();
            if (document is not null)
            {
                documents.Add(document);
            }
        }

        parser.Consume<StreamEnd>();
        return documents;
    }

    private static JsonNode? ReadNode(IParser parser, Dictionary<string, JsonNode?> anchors, string path)
    {
        var current = parser.Current ?? throw new YamlException("Unexpected end of the YAML stream.");
        switch (current)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                return anchors.TryGetValue(alias.Value.Value, out var anchored)
                    ? anchored?.DeepClone()
                    : throw new YamlException(alias.Start, alias.End, $"Alias *{alias.Value} refers to no anchor.");
            case Scalar scalar:
                parser.MoveNext();
                return Remember(anchors, scalar.Anchor, ScalarValue(scalar));
            case SequenceStart start:
                {
                    parser.MoveNext();
                    var array = new JsonArray();
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        array.Add(ReadNode(parser, anchors, $"{path}[{array.Count}]"));
                    }

                    return Remember(anchors, start.Anchor, array);
                }

            case MappingStart start:
                {
                    parser.MoveNext();
                    var obj = new JsonObject();
                    var merged = new List<JsonObject>();
                    while (!parser.TryConsume<MappingEnd>(out _))
                    {
                        var keyEvent = parser.Current;
                        var keyNode = ReadNode(parser, anchors, path);
                        var key = keyNode switch
                        {
                            null => "null",
                            JsonValue scalarKey => scalarKey.ToString(),
                            _ => throw new YamlException(start.Start, start.End, "Only scalar mapping keys are supported."),
                        };
                        var field = path.Length == 0 ? key : $"{path}.{key}";
                        if (key != "<<" && obj.ContainsKey(key))
                        {
                            throw new YamlException(keyEvent!.Start, keyEvent.End, $"duplicate field \"{field}\"");
                        }

                        var value = ReadNode(parser, anchors, field);
                        if (key == "<<")
                        {
                            merged.AddRange(value switch
                            {
                                JsonObject single => [single],
                                JsonArray many => many.OfType<JsonObject>(),
                                _ => [],
                            });
                            continue;
                        }

                        obj[key] = value;
                    }

                    // Explicit keys win over merged ones; earlier merge sources win over later ones.
                    foreach (var source in merged)
                    {
                        foreach (var (key, value) in source)
                        {
                            if (!obj.ContainsKey(key))
                            {
                                obj[key] = value?.DeepClone();
                            }
                        }
                    }

                    return Remember(anchors, start.Anchor, obj);
                }

            default:
                throw new YamlException(current.Start, current.End, $"Unexpected YAML event {current.GetType().Name}.");
        }
    }

    private static JsonNode? Remember(Dictionary<string, JsonNode?> anchors, AnchorName anchor, JsonNode? node)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node?.DeepClone();
        }

        return node;
    }

    private static JsonValue? ScalarValue(Scalar scalar)
    {
        var text = scalar.Value;
        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific)
        {
            return scalar.Tag.Value switch
            {
                "tag:yaml.org,2002:str" => JsonValue.Create(text),
                "tag:yaml.org,2002:null" => null,
                _ => Typed(text) ?? JsonValue.Create(text),
            };
        }

        return scalar.Style == ScalarStyle.Plain ? Typed(text) ?? (IsNull(text) ? null : JsonValue.Create(text)) : JsonValue.Create(text);
    }

    private static bool IsNull(string text) => text is "" or "~" or "null" or "Null" or "NULL";

    private static JsonValue? Typed(string text)
    {
        switch (text)
        {
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(text))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                ? JsonValue.Create(integer)
                : JsonValue.Create(decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        if (text.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }

        if (text.StartsWith("0o", StringComparison.Ordinal) && text.Length > 2 && text[2..].All(c => c is >= '0' and <= '7'))
        {
            return JsonValue.Create(Convert.ToInt64(text[2..], 8));
        }

        // Floats are kept as decimal where they fit so 0.2 stays 0.2 when written back out.
        if (FloatPattern().IsMatch(text))
        {
            return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? JsonValue.Create(number)
                : JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return null;
    }

    [GeneratedRegex("^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
