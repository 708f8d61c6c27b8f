using Drover.Api.Scheduling;
using Drover.Api.V1Alpha1;

namespace Drover.Api.Validation;

/// <summary>The rules of a Schedule that a CRD schema cannot express.</summary>
public static class ScheduleValidator
{
    /// <summary>Longest Schedule name: a CronJob's name is limited to 52 characters because its Jobs append 11.</summary>
    public const int MaxNameLength = 52;

    /// <summary>Every problem with <paramref name="schedule"/>; empty when it is valid.</summary>
    public static IReadOnlyList<ValidationError> Validate(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var errors = new ValidationErrors();
        if (schedule.Metadata.Name is { Length: > MaxNameLength } name)
        {
            errors.Add("metadata.name", $"\"{name}\" is {name.Length} characters; a Schedule name may have at most {MaxNameLength} because it names a CronJob.");
        }

        var spec = schedule.Spec;
        errors.Required("spec.agentRef.name", spec.AgentRef?.Name, "the Agent name");
        if (!CronSchedules.TryParse(spec.Schedule, out var expression, out var cronError))
        {
            errors.Add("spec.schedule", cronError!);
        }

        if (!TimeZones.TryFind(spec.TimeZone, out var zone, out var zoneError))
        {
            errors.Add("spec.timeZone", zoneError!);
        }
        else if (expression is not null && expression.GetNextOccurrence(DateTimeOffset.UtcNow, zone) is null)
        {
            errors.Add("spec.schedule", $"\"{spec.Schedule}\" never fires (for example, a day that does not exist in that month).");
        }

        var hasPrompt = !string.IsNullOrEmpty(spec.Prompt);
        errors.ExactlyOne("spec.prompt", hasPrompt, "spec.promptFrom", spec.PromptFrom is not null);
        if (spec.PromptFrom is { } promptFrom)
        {
            if (promptFrom.ConfigMapKeyRef is not { } key)
            {
                errors.Add("spec.promptFrom.configMapKeyRef", "name the ConfigMap key holding the prompt.");
            }
            else
            {
                errors.KeyReference("spec.promptFrom.configMapKeyRef", key.Name, key.Key, "ConfigMap");
            }
        }

        errors.OneOf("spec.concurrencyPolicy", spec.ConcurrencyPolicy, ConcurrencyPolicies.Values);
        errors.AtLeast("spec.startingDeadlineSeconds", spec.StartingDeadlineSeconds, 0);
        errors.AtLeast("spec.timeoutSeconds", spec.TimeoutSeconds, 1);
        errors.Between("spec.retries", spec.Retries, 0, 10);
        if (spec.History is { } history)
        {
            errors.AtLeast("spec.history.successful", history.Successful, 0);
            errors.AtLeast("spec.history.failed", history.Failed, 0);
        }

        errors.Budget("spec.budget", spec.Budget);
        return errors.ToList();
    }
}
