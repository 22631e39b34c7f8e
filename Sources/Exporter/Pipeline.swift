import Dispatch
import Ingest
import Locking

/// Ordered work for every core, without barriers (what `backtest` replays through): a setup
/// run first, items made concurrently (chunks of CSV rows decoded), taken one at a time in
/// index order once the setup is done (the replay), and jobs that taking submits (a window
/// entry's statistics), run by a core that has nothing more urgent. Each core takes, in this
/// order: the setup; the next item when it is made and no one is taking; a job when two or
/// more wait (each holds its inputs); the next item to make, at most `ahead` beyond the one to
/// take; a job. Jobs are started so until `endgame` items are left to take; the jobs still
/// waiting when the last item is taken then run one after another on the calling thread, each
/// free to use every core itself.
enum Pipeline {
    /// What a core does next.
    private enum Work<Item, Output> {
        case setup
        case take(Item)
        case make(Int)
        case job(Int, @Sendable () -> Output)
        case wait
        case exit
    }

    /// How many items before the last a core stops starting jobs.
    static let endgame = 4

    private struct State<Item: Sendable, Output: Sendable>: Sendable {
        var setupStarted = false
        var setupDone = false
        var made: [Item?]
        var nextMake = 0
        var nextTake = 0
        var taking = false
        var stopped = false
        var jobs: [(index: Int, run: @Sendable () -> Output)] = []
        var results: [Output?] = []

        var takingIsOver: Bool { stopped || nextTake == made.count }
    }

    /// Runs `setup()`, then `take(make(i), submit)` for every i in `0..<count`, in index order;
    /// `make` runs concurrently on up to `width` cores, `take` on one at a time. `setup` or
    /// `take` returning false stops the pipeline: nothing more is taken (items made meanwhile
    /// are dropped), the jobs submitted so far still run. Returns the jobs' results in the
    /// order they were submitted.
    static func run<Item: Sendable, Output: Sendable>(
        count: Int, ahead: Int, width: Int = Parallel.width,
        setup: () -> Bool, make: (Int) -> Item,
        take: (Item, _ submit: (@escaping @Sendable () -> Output) -> Void) -> Bool
    ) -> [Output] {
        precondition(ahead >= 1 && width >= 1)
        let state = Locked(State<Item, Output>(made: Array(repeating: nil, count: count)))
        let wake = DispatchSemaphore(value: 0)
        let others = max(0, width - 1)
        func wakeOthers() { for _ in 0..<others { wake.signal() } }
        func submit(_ job: @escaping @Sendable () -> Output) {
            state.withLock { s in
                s.jobs.append((s.results.count, job))
                s.results.append(nil)
            }
            wakeOthers()
        }

        _ = Parallel.map(width) { _ in
            while true {
                let work = state.withLock { s -> Work<Item, Output> in
                    if !s.setupStarted {
                        s.setupStarted = true
                        return .setup
                    }
                    if s.setupDone, !s.taking, !s.stopped, s.nextTake < count, let item = s.made[s.nextTake] {
                        s.made[s.nextTake] = nil
                        s.taking = true
                        return .take(item)
                    }
                    // Near the end, jobs are left for the calling thread, which runs each on every
                    // core: started here, one runs on one core (a `map` nested in a worker's is
                    // serial) and the other core has nothing left to do beside it.
                    let jobsWelcome = !s.stopped && count - s.nextTake > endgame
                    if jobsWelcome, s.jobs.count >= 2 {
                        let j = s.jobs.removeFirst()
                        return .job(j.index, j.run)
                    }
                    if !s.stopped, s.nextMake < count, s.nextMake < s.nextTake + ahead {
                        s.nextMake += 1
                        return .make(s.nextMake - 1)
                    }
                    if s.setupDone, s.takingIsOver, !s.taking { return .exit }
                    if jobsWelcome, !s.jobs.isEmpty {
                        let j = s.jobs.removeFirst()
                        return .job(j.index, j.run)
                    }
                    return .wait
                }
                switch work {
                case .setup:
                    let ok = setup()
                    state.withLock { s in
                        s.setupDone = true
                        if !ok { s.stopped = true }
                    }
                    wakeOthers()
                case .take(let item):
                    let goOn = take(item, submit)
                    state.withLock { s in
                        s.taking = false
                        s.nextTake += 1
                        if !goOn {
                            s.stopped = true
                            s.made = s.made.map { _ in nil }
                        }
                    }
                    wakeOthers()
                case .make(let i):
                    let item = make(i)
                    let first = state.withLock { s in
                        if !s.stopped { s.made[i] = item }
                        return i == s.nextTake
                    }
                    if first { wakeOthers() }
                case .job(let i, let run):
                    let result = run()
                    state.withLock { $0.results[i] = result }
                case .wait:
                    wake.wait()
                case .exit:
                    wakeOthers()
                    return
                }
            }
        }
        // The jobs left: the last entries' statistics, each on every core.
        let left = state.withLock { s in
            defer { s.jobs = [] }
            return s.jobs
        }
        var results = state.withLock { $0.results }
        for j in left { results[j.index] = j.run() }
        return results.map { $0! }
    }
}
