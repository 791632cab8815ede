/** The seed's `HandlerID`: a UUID string naming one registered event handler. */
export type HandlerID = string;

/**
 * The seed's `Receiver`: the reader of one owned partition. It reads with the lease epoch as owner
 * level, so a newer owner's receiver displaces it at the service.
 */
export interface Receiver {
  /** The partition being read. */
  readonly partitionId: string;
  /** The lease epoch this receiver reads with (its AMQP owner level). */
  readonly epoch: number;
  /** Stops reading; resolves once no handler call is in flight. */
  close(): Promise<void>;
}
