using Drover.Gateway.Admission;
using Drover.Gateway.Configuration;

namespace Drover.Gateway.Proxy;

/// <summary>
/// Learns of every charge and every refusal for a spent budget: the status writer marks the buckets for a write, and
/// crossed thresholds and refusals become Events.
/// </summary>
internal interface IUsageObserver
{
    void Charged(Caller caller, IReadOnlyList<BudgetWindow> windows, IReadOnlyList<BudgetCrossing> crossings);

    /// <summary>A request was refused because <paramref name="window"/> is spent: <paramref name="spent"/> counts requests in flight.</summary>
    void Refused(Caller caller, BudgetWindow window, WindowUsage spent);
}
