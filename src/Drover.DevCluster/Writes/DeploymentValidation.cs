using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Selectors;

namespace Drover.DevCluster.Writes;

/// <summary>
/// The apps/v1 Deployment rules of the API server's validation (pkg/apis/apps/validation) that a client can trip
/// over: replicas and the other counts non-negative, a non-empty selector that matches the template's labels, the
/// strategy (rollingUpdate only with RollingUpdate, maxSurge and maxUnavailable valid ints or percentages, not
/// both 0, maxUnavailable at most 100%), progressDeadlineSeconds above minReadySeconds, restartPolicy Always, and at
/// least one container. Answers 422 with the real field paths and messages.
/// </summary>
internal static partial class DeploymentValidation
{
    public static void Validate(ResourceType type, JsonObject deployment)
    {
        if (type is not { Group: "apps", Plural: "deployments" })
        {
            return;
        }

        var errors = new List<(string Field, string Reason, string Message)>();
        var spec = deployment["spec"] as JsonObject ?? [];
        NonNegative(spec, "replicas", errors);
        var selector = spec["selector"] as JsonObject;
        if (selector is null)
        {
            errors.Add(("spec.selector", "FieldValueRequired", "Required value"));
        }
        else if ((selector["matchLabels"] as JsonObject)?.Count is null or 0 && (selector["matchExpressions"] as JsonArray)?.Count is null or 0)
        {
            errors.Add(("spec.selector", "FieldValueInvalid", $"Invalid value: {GoSelector(selector)}: empty selector is invalid for deployment"));
        }

        var template = spec["template"] as JsonObject;
        var labels = Json.At(template, "metadata", "labels") as JsonObject;
        if (selector is not null && ((selector["matchLabels"] as JsonObject)?.Count > 0 || (selector["matchExpressions"] as JsonArray)?.Count > 0)
            && !LabelSelector.FromObject(selector).Matches(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = labels?.DeepClone() } }))
        {
            errors.Add(("spec.template.metadata.labels", "FieldValueInvalid", $"Invalid value: {GoMap(labels)}: `selector` does not match template `labels`"));
        }

        if ((Json.At(template, "spec", "containers") as JsonArray)?.Count is null or 0)
        {
            errors.Add(("spec.template.spec.containers", "FieldValueRequired", "Required value"));
        }

        if (Json.String(template, "spec", "restartPolicy") is { } restart && restart != "Always")
        {
            errors.Add(("spec.template.spec.restartPolicy", "FieldValueNotSupported", $"Unsupported value: \"{restart}\": supported values: \"Always\""));
        }

        Strategy(spec["strategy"] as JsonObject ?? [], errors);
        NonNegative(spec, "minReadySeconds", errors);
        NonNegative(spec, "revisionHistoryLimit", errors);
        if (Json.Integer(spec, "progressDeadlineSeconds") is { } deadline)
        {
            NonNegative(spec, "progressDeadlineSeconds", errors);
            if (deadline <= (Json.Integer(spec, "minReadySeconds") ?? 0))
            {
                errors.Add(("spec.progressDeadlineSeconds", "FieldValueInvalid", $"Invalid value: {deadline.ToString(CultureInfo.InvariantCulture)}: must be greater than minReadySeconds"));
            }
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type.Group, type.Kind, Json.String(deployment, "metadata", "name") ?? string.Empty, errors);
        }
    }

    private static void Strategy(JsonObject strategy, List<(string, string, string)> errors)
    {
        var type = Json.String(strategy, "type");
        var rolling = strategy["rollingUpdate"];
        switch (type)
        {
            case "Recreate":
                if (rolling is not null)
                {
                    errors.Add(("spec.strategy.rollingUpdate", "FieldValueForbidden", "Forbidden: may not be specified when strategy `type` is 'Recreate'"));
                }

                break;
            case "RollingUpdate":
                if (rolling is not JsonObject update)
                {
                    errors.Add(("spec.strategy.rollingUpdate", "FieldValueRequired", "Required value: this should be defaulted and never be nil"));
                    break;
                }

                var maxUnavailable = update["maxUnavailable"];
                var maxSurge = update["maxSurge"];
                IntOrPercent(maxUnavailable, "spec.strategy.rollingUpdate.maxUnavailable", errors);
                IntOrPercent(maxSurge, "spec.strategy.rollingUpdate.maxSurge", errors);
                if (Value(maxUnavailable) == 0 && Value(maxSurge) == 0)
                {
                    errors.Add(("spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid", $"Invalid value: {Text(maxUnavailable)}: may not be 0 when `maxSurge` is 0"));
                }

                if (Percent(maxUnavailable) is > 100)
                {
                    errors.Add(("spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid", $"Invalid value: {Text(maxUnavailable)}: must not be greater than 100%"));
                }

                break;
            default:
                var pointer = rolling is null ? "(*apps.RollingUpdateDeployment)(nil)" : "(*apps.RollingUpdateDeployment)(0xc000a1b2c0)";
                errors.Add(("spec.strategy", "FieldValueNotSupported",
                    $"Unsupported value: apps.DeploymentStrategy{{Type:\"{type}\", RollingUpdate:{pointer}}}: supported values: \"Recreate\", \"RollingUpdate\""));
                break;
        }
    }

    private static void IntOrPercent(JsonNode? value, string field, List<(string, string, string)> errors)
    {
        switch (value)
        {
            case null:
                return;
            case JsonValue text when text.TryGetValue<string>(out var s):
                if (!PercentPattern().IsMatch(s))
                {
                    errors.Add((field, "FieldValueInvalid", $"Invalid value: {s}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
                }

                return;
            default:
                if (Json.Integer(value) is { } number)
                {
                    if (number < 0)
                    {
                        errors.Add((field, "FieldValueInvalid", $"Invalid value: {number.ToString(CultureInfo.InvariantCulture)}: must be greater than or equal to 0"));
                    }

                    return;
                }

                errors.Add((field, "FieldValueInvalid", $"Invalid value: {value.ToJsonString()}: must be an integer or percentage (e.g '5%')"));
                return;
        }
    }

    /// <summary>The number an int-or-percent stands for, ignoring the %; 0 when absent or unreadable (getIntOrPercentValue).</summary>
    private static long Value(JsonNode? value) =>
        Percent(value) ?? (value is JsonValue v && !v.TryGetValue<string>(out _) ? Json.Integer(v) ?? 0 : 0);

    private static long? Percent(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var s) && PercentPattern().IsMatch(s) && long.TryParse(s.AsSpan(0, s.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;

    /// <summary>An IntOrString as Go's String() prints it: the string unquoted, or the number.</summary>
    private static string Text(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var s) ? s : Json.Integer(value)?.ToString(CultureInfo.InvariantCulture) ?? "0";

    private static void NonNegative(JsonObject spec, string field, List<(string, string, string)> errors)
    {
        if (Json.Integer(spec, field) is { } value && value < 0)
        {
            errors.Add(($"spec.{field}", "FieldValueInvalid", $"Invalid value: {value.ToString(CultureInfo.InvariantCulture)}: must be greater than or equal to 0"));
        }
    }

    private static string GoMap(JsonObject? labels) =>
        labels is null ? "map[string]string(nil)" : "map[string]string{" + string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"\"{l.Key}\":\"{l.Value}\"")) + "}";

    private static string GoSelector(JsonObject selector) =>
        $"v1.LabelSelector{{MatchLabels:{GoMap(selector["matchLabels"] as JsonObject)}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}";

    [GeneratedRegex("^[0-9]+%$")]
    private static partial Regex PercentPattern();
}
