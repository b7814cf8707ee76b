import Signaling
import Foundation
import SDP
import WebRTCTransport

/// Collects values delivered on other threads and lets a test wait for a condition on them.
package final class TransportTestCollector<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [T] = []

    package init() {}

    package func append(_ item: T) {
        condition.lock()
        items.append(item)
        condition.broadcast()
        condition.unlock()
    }

    package var all: [T] {
        condition.lock(); defer { condition.unlock() }
        return items
    }

    /// Waits until `predicate(items)` holds or `seconds` pass; returns whether it held.
    @discardableResult
    package func wait(seconds: Double, until predicate: ([T]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock(); defer { condition.unlock() }
        while !predicate(items) {
            if !condition.wait(until: deadline) { return predicate(items) }
        }
        return true
    }
}

/// One side of an in-process call: a transport plus everything it delivered.
package final class TransportTestEndpoint: @unchecked Sendable {
    package let transport: DtlsSrtpTransport
    package let events = TransportTestCollector<TransportEvent>()
    package let rtp = TransportTestCollector<[UInt8]>()
    package let rtcp = TransportTestCollector<[UInt8]>()

    package init(configuration: IceConfiguration = .loopback, controlling: Bool, certificate: DtlsCertificate? = nil) throws {
        transport = try DtlsSrtpTransport(configuration: configuration, controlling: controlling, certificate: certificate)
        let (events, rtp, rtcp) = (events, rtp, rtcp)
        transport.setHandlers(TransportHandlers(onEvent: { events.append($0) },
                                                onRtp: { rtp.append($0) },
                                                onRtcp: { rtcp.append($0) }))
    }

    package var states: [TransportState] {
        events.all.compactMap { if case .state(let s) = $0 { s } else { nil } }
    }

    package var candidates: [String] {
        events.all.compactMap { if case .localCandidate(let c) = $0 { c } else { nil } }
    }

    package func waitForState(_ state: TransportState, seconds: Double = 15) -> Bool {
        events.wait(seconds: seconds) { $0.contains(.state(state)) }
    }
}

/// Two endpoints wired like a call: credentials and trickled candidates cross over as they appear.
package final class TransportPairHarness: @unchecked Sendable {
    package let offerer: TransportTestEndpoint
    package let answerer: TransportTestEndpoint

    /// Creates both sides; `relay` makes each forward only relayed candidates (all it gathers then).
    package init(configuration: IceConfiguration = .loopback, certificate: DtlsCertificate? = nil) throws {
        offerer = try TransportTestEndpoint(configuration: configuration, controlling: true, certificate: certificate)
        answerer = try TransportTestEndpoint(configuration: configuration, controlling: false, certificate: certificate)
        let (a, b) = (offerer, answerer)
        // Trickle: forward every local candidate to the other side as it is gathered.
        a.transport.setHandlers(TransportHandlers(onEvent: { e in
            a.events.append(e)
            if case .localCandidate(let c) = e { b.transport.addRemoteCandidate(c) }
        }, onRtp: { a.rtp.append($0) }, onRtcp: { a.rtcp.append($0) }))
        b.transport.setHandlers(TransportHandlers(onEvent: { e in
            b.events.append(e)
            if case .localCandidate(let c) = e { a.transport.addRemoteCandidate(c) }
        }, onRtp: { b.rtp.append($0) }, onRtcp: { b.rtcp.append($0) }))
    }

    /// Offer/answer by hand: the answerer is DTLS client (a=setup:active), as browsers answer.
    package func connect(offererSeesFingerprint: String? = nil, answererSeesFingerprint: String? = nil) {
        let (a, b) = (offerer.transport, answerer.transport)
        a.gather()
        b.gather()
        b.setRemoteIceParameters(ufrag: a.localUfrag, password: a.localPassword)
        a.setRemoteIceParameters(ufrag: b.localUfrag, password: b.localPassword)
        a.start(role: .server, remoteFingerprint: offererSeesFingerprint ?? b.localFingerprint)
        b.start(role: .client, remoteFingerprint: answererSeesFingerprint ?? a.localFingerprint)
    }

    package func close() {
        offerer.transport.close()
        answerer.transport.close()
    }
}

/// A minimal RTP packet (RFC 3550 fixed header) carrying `payload`.
package func makeTestRtp(seq: UInt16, ssrc: UInt32 = 0x1234_5678, pt: UInt8 = 96, payload: [UInt8]) -> [UInt8] {
    var p: [UInt8] = [0x80, pt & 0x7f, UInt8(seq >> 8), UInt8(seq & 0xff)]
    p += withUnsafeBytes(of: UInt32(seq).multipliedReportingOverflow(by: 3000).partialValue.bigEndian, Array.init)
    p += withUnsafeBytes(of: ssrc.bigEndian, Array.init)
    return p + payload
}

/// A minimal RTCP receiver report (PT 201) with no report blocks plus an APP-free trailer of `extra` words.
package func makeTestRtcpRR(ssrc: UInt32 = 0x0BAD_CAFE) -> [UInt8] {
    var p: [UInt8] = [0x80, 201, 0, 1]
    p += withUnsafeBytes(of: ssrc.bigEndian, Array.init)
    return p
}

/// Port of the first host candidate on 127.0.0.1 in `candidates`.
package func loopbackPort(in candidates: [String]) -> UInt16? {
    candidates.compactMap { try? IceCandidate(parsing: $0) }.first { $0.address == "127.0.0.1" }?.port
}

/// Sends raw UDP datagrams from a fresh socket to 127.0.0.1:`port` (never anywhere else).
package func sendTestUDP(_ datagrams: [[UInt8]], toLoopbackPort port: UInt16) {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    for d in datagrams {
        _ = d.withUnsafeBytes { buf in
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
}
