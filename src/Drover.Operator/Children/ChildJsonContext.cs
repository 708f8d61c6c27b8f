using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Drover.Operator.Children;

/// <summary>
/// Source-generated JSON metadata for the Kubernetes kinds the core writes and reads, generated in this assembly.
/// The Kubernetes client ships its own context, but under NativeAOT a garbage collection while its V1PodSpec
/// metadata initialises fails fast in the stack walk (seen with ILCompiler 10.0.12); metadata generated here
/// does not take that path; referencing it would also compile every model it has into the binary. The models carry
/// their own JSON names and converters, so no naming policy is set. <see cref="JsonElement"/> is here because
/// <c>metadata.managedFields[].fieldsV1</c> is typed <c>object</c> and every real API server fills it: without it,
/// serialising a cached child to compare it with its desired form throws.
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
[JsonSerializable(typeof(V1Job))]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ChildJsonContext : JsonSerializerContext;
