// Test-only fault injection: MINIRUN_TEST_DIE_AT=<step> makes minirun SIGKILL
// itself when it reaches that step, as a kill -9 or a crash would stop it, so
// that tests can check that `delete --force` unmakes whatever it had made.
// Not for use outside tests. The steps:
//   create and run: claimed (state dir and journal made), overlay (a layered
//     rootfs's upper and work dirs made and its overlay mounted), cgroups (cgroups
//     made), launched (the init's pid known and journaled), hooks (the create
//     hooks have run), recorded (state.json written);
//   start: start-opened (the init let go: it runs the process),
//     start-fifo-removed (the exec fifo gone, state.json not yet "running");
//   exec: exec-launched (the new process runs in the container);
//   update: update-written (the cgroup files written, state.json not yet);
//   delete (the core's unmake): delete-killed (the init killed),
//     delete-cgroups (the cgroups removed).
const step = process.env.MINIRUN_TEST_DIE_AT;

export function dieAt(name: string): void {
  if (step === name) process.kill(process.pid, 'SIGKILL');
}
