using Drover.Api.V1Alpha1;

namespace Drover.Gateway.Configuration;

/// <summary>Who is calling: an Agent, or one of its Schedules, identified by its gateway key.</summary>
internal sealed record Caller(string Namespace, Agent Agent, Schedule? Schedule)
{
    public string AgentName => Agent.Metadata.Name;

    public string? ScheduleName => Schedule?.Metadata.Name;

    public override string ToString() => Schedule is null ? $"{Namespace}/{AgentName}" : $"{Namespace}/{AgentName} (schedule {ScheduleName})";
}
