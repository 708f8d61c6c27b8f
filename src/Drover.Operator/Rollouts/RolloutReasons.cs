namespace Drover.Operator.Rollouts;

/// <summary>The Ready reason of an agent whose new configuration waits for a rollout slot.</summary>
internal static class RolloutReasons
{
    /// <summary>The configuration changed, and <c>--max-concurrent-rollouts</c> agents are rolling already.</summary>
    public const string RolloutPending = "RolloutPending";
}
