using System.Diagnostics;

namespace Drover.ControllerRuntime.Observability;

/// <summary>The OpenTelemetry source for reconcile spans; hosts add it with <c>AddSource(RuntimeTelemetry.SourceName)</c>.</summary>
public static class RuntimeTelemetry
{
    public const string SourceName = "Drover.ControllerRuntime";

    public static ActivitySource ActivitySource { get; } = new(SourceName, typeof(RuntimeTelemetry).Assembly.GetName().Version?.ToString());
}
