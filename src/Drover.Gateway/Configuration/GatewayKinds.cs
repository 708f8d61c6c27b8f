using Drover.Api;
using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Client;
using k8s.Models;

namespace Drover.Gateway.Configuration;

/// <summary>Where the kinds the gateway reads live on the API server.</summary>
internal static class GatewayKinds
{
    public static ResourceKind<Agent> Agents { get; } =
        new(DroverApi.Group, DroverApi.Version, Agent.KubePluralName, Agent.KubeKind, namespaced: true, DroverJsonContext.Default.Agent);

    public static ResourceKind<Schedule> Schedules { get; } =
        new(DroverApi.Group, DroverApi.Version, Schedule.KubePluralName, Schedule.KubeKind, namespaced: true, DroverJsonContext.Default.Schedule);

    public static ResourceKind<ModelProvider> ModelProviders { get; } =
        new(DroverApi.Group, DroverApi.Version, ModelProvider.KubePluralName, ModelProvider.KubeKind, namespaced: true, DroverJsonContext.Default.ModelProvider);

    public static ResourceKind<V1Secret> Secrets { get; } =
        new(string.Empty, "v1", "secrets", V1Secret.KubeKind, namespaced: true, GatewayJsonContext.Default.V1Secret);

    public static ResourceKind<V1Namespace> Namespaces { get; } =
        new(string.Empty, "v1", "namespaces", V1Namespace.KubeKind, namespaced: false, GatewayJsonContext.Default.V1Namespace);
}
