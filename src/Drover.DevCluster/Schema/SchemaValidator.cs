using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Drover.DevCluster.Schema;

/// <summary>
/// Validates a value against a schema node the way kube-openapi does for the apiserver,
/// and turns failures into field errors with apiextensions' mapping and wording
/// (<c>"spec.size in body should be greater than or equal to 1"</c> and friends).
/// </summary>
internal static class SchemaValidator
{
    public static void Validate(JsonNode? value, SchemaNode schema, string path, List<FieldError> errors)
    {
        if (schema.EmbeddedResource && value is JsonObject resource)
        {
            ValidateEmbeddedResource(resource, path, errors);
        }

        var kind = DataType(value);
        if (kind == "null")
        {
            var expected = ExpectedTypes(schema);
            if (expected is not null && !schema.Nullable)
            {
                errors.Add(TypeInvalid(path, "null", expected));
            }

            return;
        }

        if (!TypeMatches(schema, value!, kind, out var expectedTypes))
        {
            errors.Add(TypeInvalid(path, kind, expectedTypes!));
            return;
        }

        ValidateComposition(value, schema, path, errors);

        switch (kind)
        {
            case "string":
                ValidateString(value!.GetValue<string>(), schema, path, errors);
                break;
            case "integer" or "number":
                ValidateNumber(value!, schema, path, errors);
                break;
            case "array":
                ValidateArray((JsonArray)value!, schema, path, errors);
                break;
            default:
                break;
        }

        if (schema.Enum is { } allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            var supported = string.Join(", ", allowed.Select(a => GoValueFormat.Quote(
                a?.GetValueKind() == JsonValueKind.String ? a.GetValue<string>() : GoValueFormat.SortedJson(a))));
            errors.Add(new FieldError(path, FieldErrorReasons.NotSupported,
                $"Unsupported value: {GoValueFormat.BadValue(value)}: supported values: {supported}"));
        }

        if (value is JsonObject obj)
        {
            ValidateObject(obj, schema, path, errors);
        }
    }

    /// <summary>The JSON type of a value as kube-openapi names it.</summary>
    private static string DataType(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => IsIntegerLiteral(value) ? "integer" : "number",
    };

    private static bool IsIntegerLiteral(JsonNode value) =>
        long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static string? ExpectedTypes(SchemaNode schema) =>
        schema.IntOrString ? "integer,string" : schema.Type;

    private static bool TypeMatches(SchemaNode schema, JsonNode value, string kind, out string? expected)
    {
        expected = ExpectedTypes(schema);
        if (expected is null)
        {
            return true;
        }

        if (schema.IntOrString)
        {
            return kind == "string" || kind == "integer" || (kind == "number" && IsIntegral(value));
        }

        return expected switch
        {
            "integer" => kind == "integer" || (kind == "number" && IsIntegral(value)),
            "number" => kind is "integer" or "number",
            _ => expected == kind,
        };
    }

    private static bool IsIntegral(JsonNode value)
    {
        var d = ReadDouble(value);
        return !double.IsInfinity(d) && Math.Floor(d) == d;
    }

    private static double ReadDouble(JsonNode value) =>
        double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static void ValidateComposition(JsonNode? value, SchemaNode schema, string path, List<FieldError> errors)
    {
        var quotedPath = GoValueFormat.Quote(path);
        if (schema.AllOf.Count > 0)
        {
            var valid = 0;
            foreach (var sub in schema.AllOf)
            {
                var subErrors = new List<FieldError>();
                Validate(value, sub, path, subErrors);
                valid += subErrors.Count == 0 ? 1 : 0;
                errors.AddRange(subErrors);
            }

            if (valid != schema.AllOf.Count)
            {
                errors.Add(Invalid(path, "\"\"", $"{quotedPath} must validate all the schemas (allOf){(valid == 0 ? ". None validated" : "")}"));
            }
        }

        if (schema.AnyOf.Count > 0 && !schema.AnyOf.Any(sub => IsValid(value, sub, path)))
        {
            errors.Add(Invalid(path, "\"\"", $"{quotedPath} must validate at least one schema (anyOf)"));
        }

        if (schema.OneOf.Count > 0)
        {
            var valid = schema.OneOf.Count(sub => IsValid(value, sub, path));
            if (valid != 1)
            {
                var found = valid == 0 ? "Found none valid" : $"Found {valid} valid alternatives";
                errors.Add(Invalid(path, "\"\"", $"{quotedPath} must validate one and only one schema (oneOf). {found}"));
            }
        }

        if (schema.Not is { } not && IsValid(value, not, path))
        {
            errors.Add(Invalid(path, "\"\"", $"{quotedPath} must not validate the schema (not)"));
        }
    }

    private static bool IsValid(JsonNode? value, SchemaNode schema, string path)
    {
        var subErrors = new List<FieldError>();
        Validate(value, schema, path, subErrors);
        return subErrors.Count == 0;
    }

    private static void ValidateString(string text, SchemaNode schema, string path, List<FieldError> errors)
    {
        var length = text.EnumerateRunes().Count();
        if (schema.MaxLength is { } max && length > max)
        {
            errors.Add(new FieldError(path, FieldErrorReasons.TooLong,
                $"Too long: may not be more than {max} {(max == 1 ? "byte" : "bytes")}"));
        }

        if (schema.MinLength is { } min && length < min)
        {
            errors.Add(Invalid(path, GoValueFormat.Quote(text), $"{path} in body should be at least {min} chars long"));
        }

        if (schema.PatternRegex is { } pattern && !Matches(pattern, text))
        {
            errors.Add(Invalid(path, GoValueFormat.Quote(text), $"{path} in body should match '{schema.Pattern}'"));
        }

        if (schema.Format is { } format && schema.Type is not ("integer" or "number") && !StringFormats.IsValid(format, text))
        {
            errors.Add(new FieldError(path, FieldErrorReasons.TypeInvalid,
                $"Invalid value: {GoValueFormat.Quote(text)}: {path} in body must be of type {format}: {GoValueFormat.Quote(text)}"));
        }
    }

    private static bool Matches(Regex pattern, string text)
    {
        try
        {
            return pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static void ValidateNumber(JsonNode value, SchemaNode schema, string path, List<FieldError> errors)
    {
        var number = ReadDouble(value);
        var badValue = GoValueFormat.Number(value);
        if (schema.Type == "integer" && schema.Format is "int32" or "int64")
        {
            var inRange = schema.Format == "int32"
                ? number is >= int.MinValue and <= int.MaxValue
                : number is >= long.MinValue and <= long.MaxValue;
            if (!inRange)
            {
                errors.Add(Invalid(path, "\"\"", $"Checked value must be of type integer with format {schema.Format} in {path}"));
            }
        }

        if (schema.MultipleOf is { } factor && factor > 0 && !IsMultiple(number, factor))
        {
            errors.Add(Invalid(path, badValue, $"{path} in body should be a multiple of {GoValueFormat.Float(factor)}"));
        }

        if (schema.Maximum is { } max && (schema.ExclusiveMaximum ? number >= max : number > max))
        {
            var relation = schema.ExclusiveMaximum ? "less than" : "less than or equal to";
            errors.Add(Invalid(path, badValue, $"{path} in body should be {relation} {GoValueFormat.Float(max)}"));
        }

        if (schema.Minimum is { } min && (schema.ExclusiveMinimum ? number <= min : number < min))
        {
            var relation = schema.ExclusiveMinimum ? "greater than" : "greater than or equal to";
            errors.Add(Invalid(path, badValue, $"{path} in body should be {relation} {GoValueFormat.Float(min)}"));
        }
    }

    private static bool IsMultiple(double number, double factor)
    {
        var quotient = number / factor;
        return Math.Abs(quotient - Math.Round(quotient)) < 1e-9;
    }

    private static void ValidateArray(JsonArray array, SchemaNode schema, string path, List<FieldError> errors)
    {
        if (schema.MinItems is { } min && array.Count < min)
        {
            errors.Add(Invalid(path, array.Count.ToString(CultureInfo.InvariantCulture), $"{path} in body should have at least {min} items"));
        }

        if (schema.MaxItems is { } max && array.Count > max)
        {
            errors.Add(TooMany(path, array.Count, max));
        }

        if (schema.UniqueItems && HasDuplicates(array))
        {
            errors.Add(Invalid(path, "\"\"", $"{path} in body shouldn't contain duplicates"));
        }

        ListTypeValidation.Validate(array, schema, path, errors);

        if (schema.Items is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Validate(array[i], items, FieldPath.Index(path, i), errors);
            }
        }
    }

    private static bool HasDuplicates(JsonArray array)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return array.Any(item => !seen.Add(GoValueFormat.SortedJson(item)));
    }

    private static void ValidateObject(JsonObject obj, SchemaNode schema, string path, List<FieldError> errors)
    {
        if (schema.MinProperties is { } min && obj.Count < min)
        {
            errors.Add(Invalid(path, obj.Count.ToString(CultureInfo.InvariantCulture), $"{path} in body should have at least {min} properties"));
        }

        if (schema.MaxProperties is { } max && obj.Count > max)
        {
            errors.Add(TooMany(path, obj.Count, max));
        }

        foreach (var required in schema.Required)
        {
            if (!obj.ContainsKey(required))
            {
                errors.Add(new FieldError(FieldPath.Child(path, required), FieldErrorReasons.Required, "Required value"));
            }
        }

        foreach (var (key, child) in obj)
        {
            if (schema.Properties.TryGetValue(key, out var property))
            {
                Validate(child, property, FieldPath.Child(path, key), errors);
            }
            else if (schema.AdditionalProperties is { } additional)
            {
                Validate(child, additional, FieldPath.Child(path, key), errors);
            }
        }
    }

    private static void ValidateEmbeddedResource(JsonObject resource, string path, List<FieldError> errors)
    {
        foreach (var required in new[] { "apiVersion", "kind" })
        {
            if (!resource.ContainsKey(required))
            {
                errors.Add(new FieldError(FieldPath.Child(path, required), FieldErrorReasons.Required, "Required value"));
            }
        }

        if (resource["apiVersion"] is { } apiVersion)
        {
            var field = FieldPath.Child(path, "apiVersion");
            if (apiVersion.GetValueKind() != JsonValueKind.String)
            {
                errors.Add(Invalid(field, GoValueFormat.BadValue(apiVersion), "must be a string"));
            }
            else if (apiVersion.GetValue<string>() is var text && text.Length == 0)
            {
                errors.Add(Invalid(field, "\"\"", "must not be empty"));
            }
            else if (text.Count(c => c == '/') > 1)
            {
                errors.Add(Invalid(field, GoValueFormat.Quote(text), $"unexpected GroupVersion string: {text}"));
            }
        }

        if (resource["kind"] is { } kind)
        {
            var field = FieldPath.Child(path, "kind");
            if (kind.GetValueKind() != JsonValueKind.String)
            {
                errors.Add(Invalid(field, GoValueFormat.BadValue(kind), "must be a string"));
            }
            else if (kind.GetValue<string>() is var text && text.Length == 0)
            {
                errors.Add(Invalid(field, "\"\"", "must not be empty"));
            }
            else if (ResourceNames.Dns1035LabelProblems(text.ToLowerInvariant()) is { Count: > 0 } problems)
            {
                errors.Add(Invalid(field, GoValueFormat.Quote(text), "may have mixed case, but should otherwise match: " + string.Join(",", problems)));
            }
        }

        // The root's name is checked as a DNS subdomain by the caller; embedded objects only need a usable path segment.
        if (path.Length > 0 && resource["metadata"] is JsonObject metadata
            && metadata["name"] is { } name && name.GetValueKind() == JsonValueKind.String)
        {
            var text = name.GetValue<string>();
            foreach (var problem in ResourceNames.PathSegmentProblems(text))
            {
                errors.Add(Invalid(FieldPath.Child(FieldPath.Child(path, "metadata"), "name"), GoValueFormat.Quote(text), problem));
            }
        }
    }

    private static FieldError TypeInvalid(string path, string actualType, string expected) =>
        new(path, FieldErrorReasons.TypeInvalid,
            $"Invalid value: \"{actualType}\": {path} in body must be of type {expected}: \"{actualType}\"");

    private static FieldError Invalid(string path, string badValue, string detail) =>
        new(path, FieldErrorReasons.Invalid, $"Invalid value: {badValue}: {detail}");

    private static FieldError TooMany(string path, int actual, long max) =>
        new(path, FieldErrorReasons.TooMany, $"Too many: {actual}: must have at most {max} {(max == 1 ? "item" : "items")}");
}
