/// Removes HTML tags from chat text the way the original server did (`/(<([^>]+)>)/ig`):
/// a '<' followed by one or more characters up to the next '>' is dropped; a lone '<' stays.
public func stripHTMLTags(_ text: String) -> String {
    guard text.utf8.contains(UInt8(ascii: "<")) else { return text }
    var out = [UInt8]()
    out.reserveCapacity(text.utf8.count)
    let bytes = Array(text.utf8)
    var i = 0
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "<"), i + 1 < bytes.count, bytes[i + 1] != UInt8(ascii: ">"),
           let close = bytes[(i + 1)...].firstIndex(of: UInt8(ascii: ">")) {
            i = close + 1
            continue
        }
        out.append(bytes[i])
        i += 1
    }
    return String(decoding: out, as: UTF8.self)
}
