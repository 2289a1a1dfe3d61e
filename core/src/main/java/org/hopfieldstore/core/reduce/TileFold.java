package org.hopfieldstore.core.reduce;

import org.hopfieldstore.core.aggregate.Mergeable;

/**
 * Anything a block scan folds score tiles into: a rule's {@link PartialScores}, or the sums of a
 * pass that is not a whole step (a round of a distributed threshold search).
 */
public interface TileFold<P extends TileFold<P>> extends Mergeable<P> {
  /** Folds the scores of one tile of memories in. */
  void accumulate(ScoreTile tile);
}
