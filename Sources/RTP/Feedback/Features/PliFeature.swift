/// RFC 4585 picture loss indication, receiving side: asks for a keyframe when the stream needs one, again
/// every 200 ms until one arrives, and after 3 s without any frame (`KeyframeRequester`).
package struct PliFeature: StreamFeature, Sendable {
    package private(set) var requester: KeyframeRequester

    package init(requester: KeyframeRequester = KeyframeRequester()) { self.requester = requester }

    package mutating func frame(isKeyframe: Bool, _ stream: inout StreamContext, nowNs: UInt64) {
        requester.onFrame(isKeyframe: isKeyframe, nowNs: nowNs)
    }

    package mutating func poll(_ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction] {
        guard let ssrc = stream.mediaSsrc,
              let pli = requester.pollPli(needsKeyframe: stream.needsKeyframe, senderSsrc: stream.feedbackSsrc,
                                          mediaSsrc: ssrc, nowNs: nowNs) else { return [] }
        return [.sendRtcp(.pli(pli))]
    }
}
