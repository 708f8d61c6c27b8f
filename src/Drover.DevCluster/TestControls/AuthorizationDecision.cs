namespace Drover.DevCluster.TestControls;

/// <summary>
/// One decision of the RBAC authorizer, whether for a request or for an admission check (the
/// OwnerReferencesPermissionEnforcement plugin asks whether the writer may <c>delete</c> the object and
/// <c>update</c> its owners' finalizers), as an audit log records what was authorized.
/// </summary>
/// <param name="User">The user asking.</param>
/// <param name="Verb">The Kubernetes verb.</param>
/// <param name="ApiGroup">The API group (empty for the core group).</param>
/// <param name="Resource"><c>resource</c> or <c>resource/subresource</c>, as RBAC rules name it.</param>
/// <param name="Namespace">The namespace; empty for cluster-scoped and all-namespace requests.</param>
/// <param name="Name">The object's name, when the request names one.</param>
/// <param name="Allowed">Whether some binding of the user granted it.</param>
/// <param name="Check"><c>request</c>, or the admission plugin that asked.</param>
public sealed record AuthorizationDecision(
    string User,
    string Verb,
    string ApiGroup,
    string Resource,
    string Namespace,
    string Name,
    bool Allowed,
    string Check);
