using System.Text.Json.Nodes;
using Drover.DevCluster.Protobuf;

namespace Drover.DevCluster.Tests.Protobuf;

/// <summary>
/// Bodies the real kubectl v1.35.2 sent to a dev cluster (captured on the wire), each with what the same
/// command prints with <c>--dry-run=client -o json</c>: the JSON kubectl would have sent. The decoded
/// protobuf must be that JSON exactly, key order included.
/// </summary>
public class KubectlBodyTests
{
    public static TheoryData<string> Commands => [.. Cases.Select(c => c.Command)];

    private static readonly KubectlBody[] Cases =
    [
        new("kubectl create namespace team-a",
            "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEh4KFgoGdGVhbS1hEgAaACIAKgAyADgAQgASABoCCgAaACIA",
            """
            {"kind":"Namespace","apiVersion":"v1","metadata":{"name":"team-a"},"spec":{},"status":{}}
            """),
        new("kubectl create deployment web --image=nginx:1.27 --replicas=3 --port=8080",
            "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Er4BCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEowBCAMSDAoKCgNhcHASA3dlYhpyChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViElISNAoFbmdpbngSCm5naW54OjEuMjcqADILCgAQABiQPyIAKgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=",
            """
            {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":8080}],"resources":{}}]}},"strategy":{}},"status":{}}
            """),
        new("kubectl create serviceaccount sa",
            "azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSFAoSCgJzYRIAGgAiACoAMgA4AEIAGgAiAA==",
            """
            {"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"sa"}}
            """),
        new("kubectl create cronjob nightly --image=busybox --schedule='*/5 * * * *' -- echo hi",
            "azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhK4AQoXCgduaWdodGx5EgAaACIAKgAyADgAQgASmgEKCyovNSAqICogKiAqGgAqiAEKFwoHbmlnaHRseRIAGgAiACoAMgA4AEIAEm0yawoQCgASABoAIgAqADIAOABCABJXEjAKB25pZ2h0bHkSB2J1c3lib3gaBGVjaG8aAmhpKgBCAGoAcgCAAQCIAQCQAQCiAQAaCU9uRmFpbHVyZTIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAGgAaACIA",
            """
            {"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"nightly"},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"metadata":{"name":"nightly"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"nightly","image":"busybox","command":["echo","hi"],"resources":{}}],"restartPolicy":"OnFailure"}}}}},"status":{}}
            """),
        new("kubectl create job run1 --from=cronjob/nightly",
            "azhzAAoPCghiYXRjaC92MRIDSm9iEoMCCocBCgRydW4xEgAaACIAKgAyADgAQgBiKwohY3JvbmpvYi5rdWJlcm5ldGVzLmlvL2luc3RhbnRpYXRlEgZtYW51YWxqRAoHQ3JvbkpvYhoHbmlnaHRseSIkNGM0MzkyMTktYjE0NC00ZTQzLWFkZjEtMDdjMTRmNTUwY2U1KghiYXRjaC92MTABEm0yawoQCgASABoAIgAqADIAOABCABJXEjAKB25pZ2h0bHkSB2J1c3lib3gaBGVjaG8aAmhpKgBCAGoAcgCAAQCIAQCQAQCiAQAaCU9uRmFpbHVyZTIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAGgggACgAMAA6ABoAIgA=",
            """
            {"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"run1","annotations":{"cronjob.kubernetes.io/instantiate":"manual"},"ownerReferences":[{"apiVersion":"batch/v1","kind":"CronJob","name":"nightly","uid":"4c439219-b144-4e43-adf1-07c14f550ce5","controller":true}]},"spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"nightly","image":"busybox","command":["echo","hi"],"resources":{}}],"restartPolicy":"OnFailure"}}},"status":{}}
            """),
        new("kubectl create secret generic keys --from-literal=apiKey=sk-test --from-literal=other=x",
            "azhzAAoMCgJ2MRIGU2VjcmV0EjcKFAoEa2V5cxIAGgAiACoAMgA4AEIAEhEKBmFwaUtleRIHc2stdGVzdBIKCgVvdGhlchIBeBoAGgAiAA==",
            """
            {"kind":"Secret","apiVersion":"v1","metadata":{"name":"keys"},"data":{"apiKey":"c2stdGVzdA==","other":"eA=="}}
            """),
        new("kubectl create configmap settings --from-literal=a=b",
            "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEiIKGAoIc2V0dGluZ3MSABoAIgAqADIAOABCABIGCgFhEgFiGgAiAA==",
            """
            {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"settings"},"data":{"a":"b"}}
            """),
        new("kubectl create role reader --verb=get,list --resource=pods,configmaps",
            "azhzAAokChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgRSb2xlEjkKFgoGcmVhZGVyEgAaACIAKgAyADgAQgASHwoDZ2V0CgRsaXN0EgAaBHBvZHMaCmNvbmZpZ21hcHMaACIA",
            """
            {"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"reader"},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods","configmaps"]}]}
            """),
        new("kubectl create rolebinding reader --role=reader --serviceaccount=default:sa",
            "azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtSb2xlQmluZGluZxJkChYKBnJlYWRlchIAGgAiACoAMgA4AEIAEh8KDlNlcnZpY2VBY2NvdW50EgAaAnNhIgdkZWZhdWx0GikKGXJiYWMuYXV0aG9yaXphdGlvbi5rOHMuaW8SBFJvbGUaBnJlYWRlchoAIgA=",
            """
            {"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"reader"},"subjects":[{"kind":"ServiceAccount","name":"sa","namespace":"default"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"reader"}}
            """),
        new("kubectl create clusterrole viewer --verb=get --resource=namespaces",
            "azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtDbHVzdGVyUm9sZRItChYKBnZpZXdlchIAGgAiACoAMgA4AEIAEhMKA2dldBIAGgpuYW1lc3BhY2VzGgAiAA==",
            """
            {"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"viewer"},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["namespaces"]}]}
            """),
        new("kubectl create clusterrolebinding viewer --clusterrole=viewer --user=alice",
            "azhzAAoyChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEhJDbHVzdGVyUm9sZUJpbmRpbmcSdgoWCgZ2aWV3ZXISABoAIgAqADIAOABCABIqCgRVc2VyEhlyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvGgVhbGljZSIAGjAKGXJiYWMuYXV0aG9yaXphdGlvbi5rOHMuaW8SC0NsdXN0ZXJSb2xlGgZ2aWV3ZXIaACIA",
            """
            {"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"viewer"},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"viewer"}}
            """),
        new("kubectl create poddisruptionbudget web --selector=app=web --min-available=50%",
            "azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSPAoTCgN3ZWISABoAIgAqADIAOABCABIZCgkIARAAGgM1MCUSDAoKCgNhcHASA3dlYhoKCAAYACAAKAAwABoAIgA=",
            """
            {"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"web"},"spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}}},"status":{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}}
            """),
        new("kubectl create service nodeport np --tcp=8080:80",
            "azhzAAoNCgJ2MRIHU2VydmljZRJlCh0KAm5wEgAaACIAKgAyADgAQgBaCQoDYXBwEgJucBJAChsKBzgwODAtODASA1RDUBiQPyIGCAAQUBoAKAASCQoDYXBwEgJucBoAIghOb2RlUG9ydDoAQgBSAFoAYABoABoCCgAaACIA",
            """
            {"kind":"Service","apiVersion":"v1","metadata":{"name":"np","labels":{"app":"np"}},"spec":{"ports":[{"name":"8080-80","protocol":"TCP","port":8080,"targetPort":80}],"selector":{"app":"np"},"type":"NodePort"},"status":{"loadBalancer":{}}}
            """),
    ];

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_kubectl_protobuf_body_decodes_to_the_json_kubectl_would_send(string command)
    {
        var body = Cases.Single(c => c.Command == command);

        var decoded = KubeProtobuf.Decode(Convert.FromBase64String(body.Protobuf));

        Assert.Equal(JsonNode.Parse(body.Json)!.ToJsonString(), decoded.ToJsonString());
    }

    private sealed record KubectlBody(string Command, string Protobuf, string Json);
}
