import Testing
@testable import Images

@Suite("Image references")
struct ImageReferenceTests {
    @Test("a registry with a port, a nested repository and a tag are told apart")
    func registryWithPort() throws {
        let reference = try ImageReference.parse("registry.local:5000/team/redis:7")
        #expect(reference == .registry(host: "registry.local:5000", repository: "team/redis", tag: "7", digest: nil))
    }

    @Test("a bare name means Docker Hub's library and the latest tag")
    func dockerHubDefaults() throws {
        #expect(try ImageReference.parse("busybox") == .registry(host: ImageReference.dockerHubHost, repository: "library/busybox", tag: "latest", digest: nil))
        #expect(try ImageReference.parse("user/app:1") == .registry(host: ImageReference.dockerHubHost, repository: "user/app", tag: "1", digest: nil))
    }

    @Test("a digest pins the image and needs no tag")
    func digestReference() throws {
        let hex = String(repeating: "0f", count: 32)
        #expect(try ImageReference.parse("127.0.0.1:5000/app@sha256:" + hex) == .registry(host: "127.0.0.1:5000", repository: "app", tag: nil, digest: Digest("sha256:" + hex)))
    }

    @Test("local layouts and archives take an absolute path and an optional tag")
    func layoutReferences() throws {
        #expect(try ImageReference.parse("oci-layout:/srv/images/app:v1") == .layout(path: "/srv/images/app", tag: "v1"))
        #expect(try ImageReference.parse("oci:/srv/images/app") == .layout(path: "/srv/images/app", tag: nil))
        #expect(try ImageReference.parse("oci-archive:/srv/app.tar:latest") == .archive(path: "/srv/app.tar", tag: "latest"))
        #expect(throws: ImageError.self) { try ImageReference.parse("oci-layout:relative/dir") }
    }

    @Test("malformed names are refused with a message that shows the right shape")
    func malformed() {
        for bad in ["", "UPPER/case", "app@sha256:xyz", "a b", "host:5000/app:bad/tag"] {
            #expect(throws: ImageError.self) { try ImageReference.parse(bad) }
        }
    }

    @Test("a bearer challenge's realm, service and scope are read, quoted commas included")
    func challengeParsing() {
        let (scheme, parameters) = RegistryClient.parseChallenge(#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#)
        #expect(scheme == "Bearer")
        #expect(parameters["realm"] == "https://auth.example/token")
        #expect(parameters["service"] == "registry.example")
        #expect(parameters["scope"] == "repository:a/b:pull,push")
    }

    @Test("an index yields the manifest of the host's platform")
    func platformChoice() throws {
        let arm = Descriptor(mediaType: MediaType.ociManifest, digest: Digest(hashing: [1]), size: 1, platform: ImagePlatform(os: "linux", architecture: "arm64"))
        let amd = Descriptor(mediaType: MediaType.ociManifest, digest: Digest(hashing: [2]), size: 1, platform: ImagePlatform(os: "linux", architecture: "amd64"))
        let index = ImageIndex(manifests: [arm, amd])
        #expect(index.manifest(for: ImagePlatform(os: "linux", architecture: "amd64")) == amd)
        #expect(index.manifest(for: ImagePlatform(os: "linux", architecture: "s390x")) == nil)
    }
}
