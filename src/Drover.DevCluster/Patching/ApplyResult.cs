using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>The outcome of a server-side apply: the merged object, or (with <c>Object</c> null) the conflicts that stopped it.</summary>
public sealed record ApplyResult(JsonObject? Object, IReadOnlyList<ApplyConflict> Conflicts);
