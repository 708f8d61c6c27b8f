using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Drover.Operator.Hosting;

/// <summary>
/// JSON metadata for the Kubernetes kinds the operator reads from the cluster and writes back: the same kinds as the
/// core's <see cref="Children.ChildJsonContext"/>, plus <see cref="JsonElement"/>, because
/// <c>metadata.managedFields[].fieldsV1</c> is typed <c>object</c> and every real API server fills it. Without it,
/// comparing a cached child with its desired form throws. Generated here rather than taken from the Kubernetes
/// client for the reason <see cref="Children.ChildJsonContext"/> gives.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(V1ServiceAccount))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(V1Deployment))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1NetworkPolicy))]
[JsonSerializable(typeof(V1PersistentVolumeClaim))]
[JsonSerializable(typeof(V1CronJob))]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class KubeJson : JsonSerializerContext;
