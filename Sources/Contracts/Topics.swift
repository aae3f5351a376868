/// Topic names, one per aggregate stream (DOMAIN.md §4.1). Versioned in the name: a breaking change
/// of a stream is a new topic.
public enum Topics {
    public static let iamUser = "iam.user.v1"

    /// Where a consumer group parks records it could not apply: `<topic>.<group>.dlt`.
    public static func deadLetter(of topic: String, group: String) -> String {
        "\(topic).\(group).dlt"
    }
}
