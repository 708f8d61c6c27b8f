using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protobuf;
using Drover.DevCluster.Protocol;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Drover.DevCluster.Http;

/// <summary>Decodes request bodies: JSON, YAML (apply patches) and Kubernetes protobuf (typed clients: kubectl create, helm's release Secrets).</summary>
public static class RequestBodies
{
    public const string ProtobufType = "application/vnd.kubernetes.protobuf";

    /// <summary>The media type without parameters such as <c>; charset=utf-8</c>.</summary>
    public static string MediaType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return "application/json";
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }

    public static JsonNode? Decode(byte[] body, string mediaType)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Length == 0)
        {
            return null;
        }

        if (mediaType == ProtobufType)
        {
            try
            {
                return KubeProtobuf.Decode(body);
            }
            catch (NotSupportedException e)
            {
                throw ApiException.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml: {e.Message}");
            }
            catch (FormatException e)
            {
                throw ApiException.BadRequest($"the object provided is unrecognized: {e.Message}");
            }
        }

        if (mediaType is "application/apply-patch+yaml" or "application/yaml")
        {
            return ParseYamlOrJson(body);
        }

        if (mediaType.StartsWith("application/", StringComparison.Ordinal) && mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            return ParseJson(body);
        }

        throw ApiException.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, {ProtobufType}");
    }

    public static JsonNode? ParseJson(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the object provided is unrecognized: {e.Message}");
        }
    }

    public static JsonNode? ParseYamlOrJson(byte[] body)
    {
        var trimmed = body.AsSpan().TrimStart(" \t\r\n"u8);
        if (trimmed.Length > 0 && trimmed[0] is (byte)'{' or (byte)'[')
        {
            return ParseJson(body);
        }

        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(Encoding.UTF8.GetString(body)));
            return stream.Documents.Count == 0 ? null : FromYaml(stream.Documents[0].RootNode);
        }
        catch (YamlException e)
        {
            throw ApiException.BadRequest($"error decoding YAML: {e.Message}");
        }
    }

    private static JsonNode? FromYaml(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    obj[((YamlScalarNode)key).Value ?? string.Empty] = FromYaml(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(FromYaml(item));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return null;
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (text.Length > 0 && (char.IsDigit(text[0]) || text[0] is '-' or '.')
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }
}
