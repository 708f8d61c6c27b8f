namespace Drover.DevCluster.Access;

/// <summary>Who a bearer token authenticates as: a user name and its groups, as a real authenticator reports them.</summary>
public sealed record DevClusterUser
{
    public const string Anonymous = "system:anonymous";
    public const string Authenticated = "system:authenticated";
    public const string Unauthenticated = "system:unauthenticated";
    public const string Masters = "system:masters";

    public DevClusterUser(string name, params IReadOnlyList<string> groups)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(groups);
        Name = name;
        Groups = groups;
    }

    public string Name { get; }

    public IReadOnlyList<string> Groups { get; }

    /// <summary>A cluster administrator: a member of <c>system:masters</c>, whom RBAC never denies.</summary>
    public static DevClusterUser Admin(string name = "kubernetes-admin") => new(name, Masters);

    /// <summary>A ServiceAccount's identity: <c>system:serviceaccount:&lt;ns&gt;:&lt;name&gt;</c> with the service account groups.</summary>
    public static DevClusterUser ServiceAccount(string ns, string name) =>
        new($"system:serviceaccount:{ns}:{name}", "system:serviceaccounts", $"system:serviceaccounts:{ns}");

    internal static DevClusterUser AnonymousUser { get; } = new(Anonymous, Unauthenticated);

    /// <summary>This user as authentication hands it on: every token user is also in <c>system:authenticated</c>.</summary>
    internal DevClusterUser AsAuthenticated() =>
        Groups.Contains(Authenticated) ? this : new DevClusterUser(Name, [.. Groups, Authenticated]);

    public bool Equals(DevClusterUser? other) => other is not null && Name == other.Name && Groups.SequenceEqual(other.Groups);

    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);
}
