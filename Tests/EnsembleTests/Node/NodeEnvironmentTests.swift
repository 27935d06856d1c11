import NodeLauncher
import Testing

/// The environment a node starts with: glibc's allocation cache made deeper, the user's
/// own tunables kept.
struct NodeEnvironmentTests {
    @Test func theTunableIsAddedWhenTheUserSetNone() {
        #expect(NodeEnvironment.environment(["PATH=/bin", "HOME=/root"])
            == ["PATH=/bin", "HOME=/root", "GLIBC_TUNABLES=glibc.malloc.tcache_count=128"])
    }

    @Test func theUsersOtherTunablesAreKeptBeforeIt() {
        #expect(NodeEnvironment.environment(["GLIBC_TUNABLES=glibc.malloc.arena_max=2", "PATH=/bin"])
            == ["GLIBC_TUNABLES=glibc.malloc.arena_max=2:glibc.malloc.tcache_count=128", "PATH=/bin"])
        #expect(NodeEnvironment.environment(["GLIBC_TUNABLES="]) == ["GLIBC_TUNABLES=glibc.malloc.tcache_count=128"])
    }

    @Test func aDepthTheUserChoseStands() {
        let chosen = ["GLIBC_TUNABLES=glibc.malloc.mxfast=0:glibc.malloc.tcache_count=16"]
        #expect(NodeEnvironment.environment(chosen) == chosen)
        // A tunable whose name only begins like it is another one.
        #expect(NodeEnvironment.environment(["GLIBC_TUNABLES=glibc.malloc.tcache_count_x=1"])
            == ["GLIBC_TUNABLES=glibc.malloc.tcache_count_x=1:glibc.malloc.tcache_count=128"])
    }
}
