using Drover.Gateway.Admission;
using Drover.Gateway.Configuration;
using Drover.Gateway.Proxy;
using Microsoft.Extensions.Hosting;

namespace Drover.Gateway.Hosting;

/// <summary>
/// What the gateway runs on: where its configuration comes from (the cluster, or objects a test hands it), where its
/// admission state lives, who learns of charges, and its clock. <see cref="Background"/>, when set, runs beside the
/// server (informers, the status writer); <see cref="IsReady"/> gates /readyz.
/// </summary>
internal sealed record GatewayServices(IClusterView View, IAdmissionState State, IUsageObserver Observer, TimeProvider Time)
{
    public IHostedService? Background { get; init; }

    public Func<bool> IsReady { get; init; } = () => true;
}
