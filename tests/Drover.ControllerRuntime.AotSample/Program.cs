using Drover.ControllerRuntime.AotSample;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.ControllerRuntime.Health;
using Drover.ControllerRuntime.Informers;
using Drover.ControllerRuntime.LeaderElection;
using k8s;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Prometheus;

var builder = WebApplication.CreateSlimBuilder(args);
var connection = KubeconfigLoader.Load(builder.Configuration["kubeconfig"], builder.Configuration["context"], Environment.GetEnvironmentVariable);
var client = KubeApiClient.FromConnection(connection, "drover-aot-sample/0.1");
var ns = builder.Configuration["namespace"] ?? connection.Namespace ?? "default";

var sources = new Informer<k8s.Models.V1ConfigMap>(client, SampleKinds.ConfigMaps, new InformerOptions { Namespaces = [ns], LabelSelector = "sample.drover.dev/mirror=true" });
var mirrors = new Informer<k8s.Models.V1ConfigMap>(client, SampleKinds.ConfigMaps, new InformerOptions { Namespaces = [ns], LabelSelector = "app.kubernetes.io/managed-by=drover-sample" });
var controller = new Controller<k8s.Models.V1ConfigMap>("configmap-mirror", sources, new ConfigMapMirrorReconciler(new ResourceApplier(client), mirrors))
    .Owns(mirrors);
var host = new ControllerHost()
    .AddInformer(sources)
    .AddInformer(mirrors)
    .AddController(controller)
    .UseLeaderElection(new LeaderElector(new KubeLeaseStore(client, ns, "drover-aot-sample")));

builder.Services.AddHostedService(_ => host);
builder.Services.AddHealthChecks().AddInformerChecks(() => host.Informers);
var app = builder.Build();
app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ControllerRuntimeHealthCheckExtensions.LiveTag) });
app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ControllerRuntimeHealthCheckExtensions.ReadyTag) });
app.MapMetrics();
app.MapGet("/leader", () => host.IsLeader ? "leader" : "standby");
await app.RunAsync();
