namespace Drover.DevCluster.Patching;

/// <summary>One decoded managedFields entry.</summary>
internal sealed class ManagerEntry(ManagerIdentity identity, string apiVersion, string? time, FieldSet fields)
{
    public ManagerIdentity Identity { get; } = identity;

    public string ApiVersion { get; set; } = apiVersion;

    /// <summary>Kept as the stored text so that untouched entries re-encode byte for byte.</summary>
    public string? Time { get; set; } = time;

    public FieldSet Fields { get; set; } = fields;
}
