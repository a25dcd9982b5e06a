import { certificatesRoutes } from '../certificates/certificates.routes';
import type { RouteDef } from '../http/routing';
import { peerAssessmentRoutes } from '../peer-assessment/peer-assessment.routes';
import { gradingRoutes } from './grading.routes';

/** Section 6's assessment side: peer assessment, S/U grading and the gradebook, certificates. */
export const gradingWorkRoutes: RouteDef[] = [...peerAssessmentRoutes, ...gradingRoutes, ...certificatesRoutes];
