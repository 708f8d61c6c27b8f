using System.Text.Json.Nodes;

namespace Drover.DevCluster.Protocol;

/// <summary>An API failure that travels to the client as a <c>v1.Status</c> body with its HTTP code.</summary>
public sealed class ApiException : Exception
{
    private ApiException(int code, string reason, string message, JsonObject? details)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    /// <summary>Seconds the client should wait, sent both in details and as a Retry-After header.</summary>
    public int? RetryAfterSeconds { get; init; }

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Details is not null)
        {
            status["details"] = Details.DeepClone();
        }

        status["code"] = Code;
        return status;
    }

    public static ApiException NotFound(string groupResource, string name) =>
        new(404, "NotFound", $"{groupResource} \"{name}\" not found", Detail(groupResource, name));

    public static ApiException AlreadyExists(string groupResource, string name) =>
        new(409, "AlreadyExists", $"{groupResource} \"{name}\" already exists", Detail(groupResource, name));

    public static ApiException Conflict(string groupResource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {groupResource} \"{name}\": {why}", Detail(groupResource, name));

    public static ApiException StaleResourceVersion(string groupResource, string name) =>
        Conflict(groupResource, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message, null);

    public static ApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message, null);

    public static ApiException Expired(string message) => new(410, "Expired", message, null);

    public static ApiException Gone(string message) => new(410, "Gone", message, null);

    public static ApiException UnsupportedMediaType(string message) => new(415, "UnsupportedMediaType", message, null);

    public static ApiException NotAcceptable(string message) => new(406, "NotAcceptable", message, null);

    public static ApiException Forbidden(string groupResource, string name, string why, IReadOnlyList<(string Field, string Reason, string Message)>? causes = null)
    {
        var details = Detail(groupResource, name);
        if (causes is { Count: > 0 })
        {
            details["causes"] = Causes(causes);
        }

        var subject = name.Length == 0 ? groupResource : $"{groupResource} \"{name}\"";
        return new(403, "Forbidden", $"{subject} is forbidden: {why}", details);
    }

    public static ApiException Internal(string message) => new(500, "InternalError", message, null);

    public static ApiException Timeout(string message, string causeReason) =>
        new(504, "Timeout", message, new JsonObject { ["causes"] = Causes([("", causeReason, message)]) });

    /// <summary>422 Invalid, the shape validation errors take: details carry the Kind, not the resource.</summary>
    public static ApiException Invalid(string group, string kind, string name, IReadOnlyList<(string Field, string Reason, string Message)> causes)
    {
        var qualifiedKind = group.Length == 0 ? kind : $"{kind}.{group}";
        var rendered = causes.Select(c => c.Field.Length == 0 ? c.Message : $"{c.Field}: {c.Message}").ToList();
        var summary = rendered.Count == 1 ? rendered[0] : "[" + string.Join(", ", rendered) + "]";
        var details = new JsonObject { ["name"] = name, ["group"] = group, ["kind"] = kind, ["causes"] = Causes(causes) };
        return new(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {summary}", details);
    }

    /// <summary>A status with explicit fields, for the few failures that have no constructor in apimachinery.</summary>
    public static ApiException Custom(int code, string reason, string message, JsonObject? details = null, int? retryAfterSeconds = null) =>
        new(code, reason, message, details) { RetryAfterSeconds = retryAfterSeconds };

    public static JsonArray Causes(IEnumerable<(string Field, string Reason, string Message)> causes)
    {
        var array = new JsonArray();
        foreach (var (field, reason, message) in causes)
        {
            array.Add(new JsonObject { ["reason"] = reason, ["message"] = message, ["field"] = field });
        }

        return array;
    }

    private static JsonObject Detail(string groupResource, string name)
    {
        var dot = groupResource.IndexOf('.', StringComparison.Ordinal);
        var resource = dot < 0 ? groupResource : groupResource[..dot];
        var group = dot < 0 ? string.Empty : groupResource[(dot + 1)..];
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = resource;
        return details;
    }
}
