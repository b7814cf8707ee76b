import BrowserDriver
import TestSupport
import Foundation
import Logging
import ServiceLifecycle
import SignalingServer

typealias BrowserTestError = BrowserError

