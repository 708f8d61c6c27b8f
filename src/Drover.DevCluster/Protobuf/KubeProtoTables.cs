namespace Drover.DevCluster.Protobuf;

/// <summary>The generated field tables (KubeProtoTables.g.cs) and the kinds a request body may carry.</summary>
internal static partial class KubeProtoTables
{
    /// <summary>The root message of a kind; apiVersion <c>*</c> in the table matches any (DeleteOptions is unversioned).</summary>
    public static int? Find(string apiVersion, string kind)
    {
        foreach (var root in Roots)
        {
            if (root.Kind == kind && (root.ApiVersion == apiVersion || root.ApiVersion == "*"))
            {
                return root.Message;
            }
        }

        return null;
    }
}
