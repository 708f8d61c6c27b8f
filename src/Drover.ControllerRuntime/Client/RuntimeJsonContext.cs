using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Drover.ControllerRuntime.Client;

/// <summary>
/// JSON metadata for the kinds the runtime itself reads and writes (Leases, Events). The Kubernetes client's own
/// context covers every model it has, and under NativeAOT referencing it compiles all of them in: it made up about
/// two thirds of the operator's types and most of its startup work. <see cref="JsonElement"/> is here for
/// <c>managedFields[].fieldsV1</c>, which the models type as <c>object</c>.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(Eventsv1Event))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class RuntimeJsonContext : JsonSerializerContext;
