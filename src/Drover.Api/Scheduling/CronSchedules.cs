using Cronos;

namespace Drover.Api.Scheduling;

/// <summary>
/// Parses the cron dialect a batch/v1 CronJob accepts: five fields or a descriptor. Cronos parses more
/// (seconds, L, W, #) than the CronJob controller does, so those are refused here rather than at run time.
/// </summary>
public static class CronSchedules
{
    /// <summary>The descriptors accepted in place of five fields.</summary>
    public static IReadOnlyList<string> Descriptors { get; } =
        ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

    private static readonly string[] FieldNames = ["minute", "hour", "day of month", "month", "day of week"];

    private static readonly string[] MonthAndDayNames =
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
         "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong in words a user can act on.</summary>
    public static bool TryParse(string? text, out CronExpression? expression, out string? error)
    {
        expression = null;
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            error = "a cron schedule is required, for example \"0 9 * * 1-5\" or \"@daily\".";
            return false;
        }

        if (trimmed.StartsWith("TZ=", StringComparison.Ordinal) || trimmed.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            error = "a time zone inside the schedule is not supported; set spec.timeZone instead.";
            return false;
        }

        if (trimmed.StartsWith('@'))
        {
            if (!Descriptors.Contains(trimmed, StringComparer.Ordinal))
            {
                error = $"\"{trimmed}\" is not a supported descriptor; use one of {string.Join(", ", Descriptors)} or five cron fields.";
                return false;
            }
        }
        else
        {
            var fields = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 6)
            {
                error = $"\"{trimmed}\" has six fields; a seconds field is not supported because a CronJob starts at most once a minute. Use five fields: minute hour day-of-month month day-of-week.";
                return false;
            }

            if (fields.Length != 5)
            {
                error = $"\"{trimmed}\" has {fields.Length} fields; expected five: minute hour day-of-month month day-of-week.";
                return false;
            }

            for (var i = 0; i < fields.Length; i++)
            {
                if (UsesCronosOnlySyntax(fields[i]))
                {
                    error = $"the {FieldNames[i]} field \"{fields[i]}\" uses L, W or #, which a CronJob does not understand.";
                    return false;
                }
            }
        }

        try
        {
            expression = CronExpression.Parse(trimmed, CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            error = $"\"{trimmed}\" is not a valid cron expression: {ex.Message}";
            return false;
        }

        error = null;
        return true;
    }

    private static bool UsesCronosOnlySyntax(string field)
    {
        var upper = field.ToUpperInvariant();
        foreach (var name in MonthAndDayNames)
        {
            upper = upper.Replace(name, "", StringComparison.Ordinal);
        }

        return upper.AsSpan().IndexOfAny("LW#") >= 0;
    }
}
