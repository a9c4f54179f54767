import { SetMetadata } from '@nestjs/common';
import { IS_PUBLIC } from './jwt-bearer.constants';

/** The route (or every route of the controller) answers without a token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
