using System.Text.Json.Serialization;
using k8s.Models;

namespace Drover.Operator.Children;

/// <summary>
/// Source-generated JSON metadata for the Kubernetes kinds the core writes and reads, generated in this assembly.
/// The Kubernetes client ships its own context, but under NativeAOT a garbage collection while its V1PodSpec
/// metadata initialises fails fast in the stack walk (seen with ILCompiler 10.0.12); metadata generated here
/// does not take that path. The models carry their own JSON names and converters, so no naming policy is set.
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
public sealed partial class ChildJsonContext : JsonSerializerContext;
