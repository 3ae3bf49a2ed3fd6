// Test-only fault injection: MINIRUN_TEST_DIE_AT=<step> makes minirun SIGKILL
// itself when it reaches that step of create, run or delete, as a kill -9 or
// a crash would stop it, so that tests can check that `delete --force`
// unmakes whatever it had made. Steps: claimed (state dir and journal made),
// cgroups (cgroups made), launched (the init's pid known and journaled),
// hooks (the create hooks have run), recorded (state.json written),
// delete-killed (delete has killed the init), delete-cgroups (delete has
// removed the cgroups). Not for use outside tests.
const step = process.env.MINIRUN_TEST_DIE_AT;

export function dieAt(name: string): void {
  if (step === name) process.kill(process.pid, 'SIGKILL');
}
