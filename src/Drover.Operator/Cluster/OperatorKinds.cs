using Drover.Api;
using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Client;
using Drover.Operator.Children;
using k8s;
using k8s.Models;

namespace Drover.Operator.Cluster;

/// <summary>Where every kind the operator reads or writes lives on the API server, with its source-generated JSON metadata.</summary>
internal static class OperatorKinds
{
    public static ResourceKind<Agent> Agents { get; } =
        new(DroverApi.Group, DroverApi.Version, Agent.KubePluralName, Agent.KubeKind, namespaced: true, DroverJsonContext.Default.Agent);

    public static ResourceKind<ModelProvider> ModelProviders { get; } =
        new(DroverApi.Group, DroverApi.Version, ModelProvider.KubePluralName, ModelProvider.KubeKind, namespaced: true, DroverJsonContext.Default.ModelProvider);

    public static ResourceKind<Schedule> Schedules { get; } =
        new(DroverApi.Group, DroverApi.Version, Schedule.KubePluralName, Schedule.KubeKind, namespaced: true, DroverJsonContext.Default.Schedule);

    public static ResourceKind<V1Secret> Secrets { get; } =
        new(string.Empty, "v1", "secrets", V1Secret.KubeKind, namespaced: true, ChildJsonContext.Default.V1Secret);

    public static ResourceKind<V1ConfigMap> ConfigMaps { get; } =
        new(string.Empty, "v1", "configmaps", V1ConfigMap.KubeKind, namespaced: true, ChildJsonContext.Default.V1ConfigMap);

    public static ResourceKind<V1Service> Services { get; } =
        new(string.Empty, "v1", "services", V1Service.KubeKind, namespaced: true, ChildJsonContext.Default.V1Service);

    public static ResourceKind<V1ServiceAccount> ServiceAccounts { get; } =
        new(string.Empty, "v1", "serviceaccounts", V1ServiceAccount.KubeKind, namespaced: true, ChildJsonContext.Default.V1ServiceAccount);

    public static ResourceKind<V1PersistentVolumeClaim> PersistentVolumeClaims { get; } =
        new(string.Empty, "v1", "persistentvolumeclaims", V1PersistentVolumeClaim.KubeKind, namespaced: true, ChildJsonContext.Default.V1PersistentVolumeClaim);

    public static ResourceKind<V1Pod> Pods { get; } =
        new(string.Empty, "v1", "pods", V1Pod.KubeKind, namespaced: true, ChildJsonContext.Default.V1Pod);

    public static ResourceKind<V1Namespace> Namespaces { get; } =
        new(string.Empty, "v1", "namespaces", V1Namespace.KubeKind, namespaced: false, ChildJsonContext.Default.V1Namespace);

    public static ResourceKind<V1Deployment> Deployments { get; } =
        new("apps", "v1", "deployments", V1Deployment.KubeKind, namespaced: true, ChildJsonContext.Default.V1Deployment);

    public static ResourceKind<V1NetworkPolicy> NetworkPolicies { get; } =
        new("networking.k8s.io", "v1", "networkpolicies", V1NetworkPolicy.KubeKind, namespaced: true, ChildJsonContext.Default.V1NetworkPolicy);

    public static ResourceKind<V1CronJob> CronJobs { get; } =
        new("batch", "v1", "cronjobs", V1CronJob.KubeKind, namespaced: true, ChildJsonContext.Default.V1CronJob);

    public static ResourceKind<V1Job> Jobs { get; } =
        new("batch", "v1", "jobs", V1Job.KubeKind, namespaced: true, ChildJsonContext.Default.V1Job);
}
