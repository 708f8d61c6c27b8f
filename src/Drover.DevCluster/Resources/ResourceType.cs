namespace Drover.DevCluster.Resources;

/// <summary>One served resource at one version: what the API server knows about a kind it stores.</summary>
public sealed class ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Plural { get; init; }

    public required string Kind { get; init; }

    public string? SingularName { get; init; }

    public string Singular => SingularName ?? Kind.ToLowerInvariant();

    public string ListKind { get => field ?? Kind + "List"; init; }

    public required bool Namespaced { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    public bool HasStatusSubresource { get; init; }

    public ScaleSubresource? Scale { get; init; }

    /// <summary>Whether the kind carries <c>metadata.generation</c>.</summary>
    public bool HasGeneration { get; init; }

    /// <summary>Whether annotation changes also bump generation (Deployments do).</summary>
    public bool AnnotationsBumpGeneration { get; init; }

    public bool IsCustom { get; init; }

    /// <summary>The CRD schema of this version, for pruning, defaulting and validation; null for built-ins.</summary>
    public CustomResourceSchema? Schema { get; init; }

    public IReadOnlyList<PrinterColumn> PrinterColumns { get; init; } = [];

    /// <summary>Immediate deletes answer with the object itself rather than a Status (pods, service accounts).</summary>
    public bool ReturnsDeletedObject { get; init; }

    /// <summary>A CRD being deleted still serves reads and deletes only.</summary>
    public bool Terminating { get; init; }

    /// <summary>Set when this resource is a view of another's objects (events.k8s.io Events are core Events).</summary>
    public StorageView? StoredAs { get; init; }

    /// <summary>The field selectors the kind supports; null accepts any dotted path.</summary>
    public Selectors.SelectableFields? SelectableFields { get; init; }

    /// <summary>Versions of one group and plural share one storage bucket; a view uses the bucket of what it views.</summary>
    public string StorageKey => StoredAs?.StorageKey ?? GroupResource;

    /// <summary>The <c>resource.group</c> form errors use, e.g. <c>agents.drover.dev</c>.</summary>
    public string GroupResource => Group.Length == 0 ? Plural : Plural + "." + Group;

    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    public IReadOnlyList<string> Verbs => Terminating
        ? ["delete", "deletecollection", "get", "list", "watch"]
        : ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
}

/// <summary>Where a kind keeps its replica counts, for the <c>/scale</c> subresource.</summary>
public sealed record ScaleSubresource(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath);

/// <summary>A Table column: a name, a type, and the JSONPath that fills it.</summary>
public sealed record PrinterColumn(string Name, string Type, string? Format, string Description, int Priority, string JsonPath);
