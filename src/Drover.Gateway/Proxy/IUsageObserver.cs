using Drover.Gateway.Admission;
using Drover.Gateway.Configuration;

namespace Drover.Gateway.Proxy;

/// <summary>Learns of every charge: the status writer marks the buckets for a write, and crossed thresholds become Events.</summary>
internal interface IUsageObserver
{
    void Charged(Caller caller, IReadOnlyList<BudgetWindow> windows, IReadOnlyList<BudgetCrossing> crossings);
}
