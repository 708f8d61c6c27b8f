using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// RFC 6902 JSON Patch (<c>application/json-patch+json</c>). A malformed patch document is a 400;
/// an operation that cannot be applied (failed <c>test</c>, missing path) is a 422, as the API server answers.
/// </summary>
public static class JsonPatch
{
    /// <summary>Applies <paramref name="patch"/> to a copy of <paramref name="document"/> and returns the copy.</summary>
    public static JsonNode Apply(JsonNode document, JsonNode patch)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (patch is not JsonArray operations)
        {
            throw PatchException.BadRequest("json patch must be a JSON array of operations");
        }

        // The whole document sits under a synthetic root so that the path "" can be replaced like any member.
        var root = new JsonObject { ["doc"] = document.DeepClone() };
        foreach (var item in operations)
        {
            if (item is not JsonObject operation)
            {
                throw PatchException.BadRequest("json patch operations must be JSON objects");
            }

            ApplyOperation(root, operation);
        }

        return root["doc"] ?? throw PatchException.Invalid("json patch produced a null document");
    }

    private static void ApplyOperation(JsonObject root, JsonObject operation)
    {
        var op = RequiredString(operation, "op");
        var path = RequiredString(operation, "path");
        switch (op)
        {
            case "add":
                Add(root, path, RequiredValue(operation, op));
                break;
            case "remove":
                Remove(root, path, op);
                break;
            case "replace":
                Remove(root, path, op);
                Add(root, path, RequiredValue(operation, op));
                break;
            case "move":
                {
                    var from = RequiredString(operation, "from");
                    if (path.StartsWith(from + "/", StringComparison.Ordinal))
                    {
                        throw PatchException.Invalid($"move operation does not apply: \"from\" {JsonPointer.Quote(from)} is a proper prefix of \"path\" {JsonPointer.Quote(path)}");
                    }

                    if (from != path)
                    {
                        var value = Remove(root, from, op);
                        Add(root, path, value);
                    }
                    else
                    {
                        _ = Get(root, from, op);
                    }

                    break;
                }

            case "copy":
                {
                    var from = RequiredString(operation, "from");
                    Add(root, path, Get(root, from, op)?.DeepClone());
                    break;
                }

            case "test":
                {
                    var expected = RequiredValue(operation, op);
                    var actual = Get(root, path, op);
                    if (!JsonEquality.Equal(actual, expected))
                    {
                        throw PatchException.Invalid($"testing value {path} failed: test failed");
                    }

                    break;
                }

            default:
                throw PatchException.BadRequest($"Unexpected kind: {op}");
        }
    }

    private static string RequiredString(JsonObject operation, string member)
    {
        if (operation.TryGetPropertyValue(member, out var node) && node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }

        throw PatchException.BadRequest($"json patch operation is missing the string member \"{member}\": {operation.ToJsonString()}");
    }

    private static JsonNode? RequiredValue(JsonObject operation, string op)
    {
        if (!operation.TryGetPropertyValue("value", out var value))
        {
            throw PatchException.BadRequest($"{op} operation is missing \"value\": {operation.ToJsonString()}");
        }

        return value?.DeepClone();
    }

    /// <summary>Resolves the container that holds the last token of <paramref name="path"/>.</summary>
    private static (JsonNode? Parent, string Token) Locate(JsonObject root, string path, string op)
    {
        var tokens = JsonPointer.Parse(path);
        JsonNode? current = root;
        var token = "doc";
        foreach (var next in tokens)
        {
            current = Child(current, token) ?? throw Missing(op, path);
            token = next;
        }

        return (current, token);
    }

    private static JsonNode? Child(JsonNode? container, string token)
    {
        switch (container)
        {
            case JsonObject obj:
                return obj.TryGetPropertyValue(token, out var value) ? value : null;
            case JsonArray array:
                return JsonPointer.TryParseIndex(token, out var index) && index < array.Count ? array[index] : null;
            default:
                return null;
        }
    }

    private static JsonNode? Get(JsonObject root, string path, string op)
    {
        var (parent, token) = Locate(root, path, op);
        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(token, out var value):
                return value;
            case JsonArray array when JsonPointer.TryParseIndex(token, out var index) && index < array.Count:
                return array[index];
            default:
                throw Missing(op, path);
        }
    }

    private static void Add(JsonObject root, string path, JsonNode? value)
    {
        var (parent, token) = Locate(root, path, "add");
        switch (parent)
        {
            case JsonObject obj:
                obj[token] = value;
                return;
            case JsonArray array:
                if (token == "-")
                {
                    array.Add(value);
                    return;
                }

                if (!JsonPointer.TryParseIndex(token, out var index) || index > array.Count)
                {
                    throw PatchException.Invalid($"add operation does not apply: index {token} is out of bounds for array of length {array.Count} at {JsonPointer.Quote(path)}");
                }

                array.Insert(index, value);
                return;
            default:
                throw Missing("add", path);
        }
    }

    private static JsonNode? Remove(JsonObject root, string path, string op)
    {
        var (parent, token) = Locate(root, path, op);
        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(token, out var value):
                obj.Remove(token);
                return value;
            case JsonArray array when JsonPointer.TryParseIndex(token, out var index) && index < array.Count:
                var item = array[index];
                array.RemoveAt(index);
                return item;
            default:
                throw Missing(op, path);
        }
    }

    private static PatchException Missing(string op, string path) =>
        PatchException.Invalid($"{op} operation does not apply: doc is missing path: {JsonPointer.Quote(path)}: missing value");
}
